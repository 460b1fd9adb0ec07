"""Variables that common official images set with their own ENV (names, and values where they are paths).

BuildKit reads a base image's config, so `FROM python` then `$PYTHON_VERSION` is no undefined
variable to it. The linter pulls no image; this table stands in for the most used ones.
"""
from __future__ import annotations

_V = ""  # a version or checksum: only the name matters here
IMAGE_ENV: dict[str, dict[str, str]] = {
    "python": {"LANG": "C.UTF-8", "GPG_KEY": _V, "PYTHON_VERSION": _V, "PYTHON_SHA256": _V,
               "PYTHON_PIP_VERSION": _V, "PYTHON_SETUPTOOLS_VERSION": _V, "PYTHON_GET_PIP_URL": _V,
               "PYTHON_GET_PIP_SHA256": _V},
    "node": {"NODE_VERSION": _V, "YARN_VERSION": _V},
    "golang": {"GOLANG_VERSION": _V, "GOTOOLCHAIN": "local", "GOPATH": "/go"},
    "rust": {"RUSTUP_HOME": "/usr/local/rustup", "CARGO_HOME": "/usr/local/cargo", "RUST_VERSION": _V},
    "ruby": {"LANG": "C.UTF-8", "RUBY_VERSION": _V, "RUBY_DOWNLOAD_URL": _V, "RUBY_DOWNLOAD_SHA256": _V,
             "GEM_HOME": "/usr/local/bundle", "BUNDLE_SILENCE_ROOT_WARNING": "1", "BUNDLE_APP_CONFIG": "/usr/local/bundle"},
    "php": {"PHPIZE_DEPS": _V, "PHP_INI_DIR": "/usr/local/etc/php", "PHP_CFLAGS": _V, "PHP_CPPFLAGS": _V,
            "PHP_LDFLAGS": _V, "GPG_KEYS": _V, "PHP_VERSION": _V, "PHP_URL": _V, "PHP_ASC_URL": _V, "PHP_SHA256": _V},
    "openjdk": {"JAVA_HOME": "/usr/local/openjdk", "LANG": "C.UTF-8", "JAVA_VERSION": _V},
    "eclipse-temurin": {"JAVA_HOME": "/opt/java/openjdk", "LANG": "en_US.UTF-8", "LANGUAGE": "en_US:en",
                        "LC_ALL": "en_US.UTF-8", "JAVA_VERSION": _V},
    "maven": {"MAVEN_HOME": "/usr/share/maven", "MAVEN_CONFIG": "/root/.m2", "JAVA_HOME": "/opt/java/openjdk"},
    "gradle": {"GRADLE_HOME": "/opt/gradle", "GRADLE_VERSION": _V, "JAVA_HOME": "/opt/java/openjdk"},
    "tomcat": {"CATALINA_HOME": "/usr/local/tomcat", "TOMCAT_NATIVE_LIBDIR": "/usr/local/tomcat/native-jni-lib",
               "LD_LIBRARY_PATH": "/usr/local/tomcat/native-jni-lib", "TOMCAT_MAJOR": _V, "TOMCAT_VERSION": _V,
               "TOMCAT_SHA512": _V, "GPG_KEYS": _V, "JAVA_HOME": "/opt/java/openjdk"},
    "nginx": {"NGINX_VERSION": _V, "NJS_VERSION": _V, "NJS_RELEASE": _V, "PKG_RELEASE": _V, "DYNPKG_RELEASE": _V},
    "httpd": {"HTTPD_PREFIX": "/usr/local/apache2", "HTTPD_VERSION": _V, "HTTPD_SHA256": _V, "HTTPD_PATCHES": _V},
    "postgres": {"GOSU_VERSION": _V, "LANG": "en_US.utf8", "PG_MAJOR": _V, "PG_VERSION": _V,
                 "PGDATA": "/var/lib/postgresql/data"},
    "mysql": {"GOSU_VERSION": _V, "MYSQL_MAJOR": _V, "MYSQL_VERSION": _V, "MYSQL_SHELL_VERSION": _V},
    "mariadb": {"GOSU_VERSION": _V, "LANG": "C.UTF-8", "MARIADB_VERSION": _V},
    "redis": {"REDIS_VERSION": _V, "REDIS_DOWNLOAD_URL": _V, "REDIS_DOWNLOAD_SHA": _V},
    "mongo": {"GOSU_VERSION": _V, "JSYAML_VERSION": _V, "MONGO_MAJOR": _V, "MONGO_VERSION": _V, "HOME": "/data/db"},
    "docker": {"DOCKER_VERSION": _V, "DOCKER_BUILDX_VERSION": _V, "DOCKER_COMPOSE_VERSION": _V, "DOCKER_TLS_CERTDIR": "/certs"},
}


def image_env(image: str) -> dict[str, str] | None:
    """The known ENV of an official image reference (`python:3.12-slim`, `docker.io/library/node`)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    for prefix in ("docker.io/library/", "library/", "index.docker.io/library/"):
        name = name.removeprefix(prefix)
    return IMAGE_ENV.get(name)
