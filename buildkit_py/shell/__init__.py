"""Shell stage (see DESIGN.md): BuildKit-exact variable expansion and word splitting (`lex`),
which instructions expand what (`table`), and a POSIX shell command analyser for lint (`script`)."""
from buildkit_py.shell.lex import Lexer, ShellExpansionError

__all__ = ["Lexer", "ShellExpansionError"]
