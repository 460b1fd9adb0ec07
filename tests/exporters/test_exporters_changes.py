"""`--change` applies Dockerfile instructions to an imported image's config, as `docker import -c`."""
from __future__ import annotations

import pytest

from buildkit_py.exporters.changes import apply_changes
from buildkit_py.store.errors import InvalidInput


def test_exec_and_shell_forms() -> None:
    cfg = apply_changes(['CMD ["sh", "-c", "echo hi"]', "ENTRYPOINT /bin/run --fast"], {})
    assert cfg == {"Cmd": ["sh", "-c", "echo hi"], "Entrypoint": ["/bin/sh", "-c", "/bin/run --fast"]}


def test_env_label_expose_volume_accumulate() -> None:
    cfg = apply_changes(["ENV A=1 B='two words'", "ENV A 3 and more", "LABEL x=y", "EXPOSE 80 53/udp",
                         'VOLUME ["/a", "/b"]', "VOLUME /c", "ONBUILD RUN x", "STOPSIGNAL SIGTERM",
                         "user nobody"], {"Env": ["PATH=/bin"]})
    assert cfg["Env"] == ["PATH=/bin", "B=two words", "A=3 and more"]
    assert cfg["Labels"] == {"x": "y"} and cfg["ExposedPorts"] == {"80/tcp": {}, "53/udp": {}}
    assert cfg["Volumes"] == {"/a": {}, "/b": {}, "/c": {}}
    assert cfg["OnBuild"] == ["RUN x"] and cfg["StopSignal"] == "SIGTERM" and cfg["User"] == "nobody"


@pytest.mark.parametrize("change,text", [
    ("RUN make", "unsupported instruction"), ("CMD", "needs an argument"), ("LABEL novalue", "KEY=VALUE"),
    ("ENV A='unterminated", "quotation"),
])
def test_bad_changes_are_bad_input(change: str, text: str) -> None:
    with pytest.raises(InvalidInput, match=text) as err:
        apply_changes([change], {})
    assert err.value.exit_code == 2 and "CMD" in (err.value.hint or "")
