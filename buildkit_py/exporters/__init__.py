"""Exporters: images out of the store and into it, in formats other tools read.

- `oci_layout.save_oci(store, items, dest)`: an OCI image layout, as a tar stream or a directory.
- `docker_archive.save_docker(store, items, out)`: a docker-archive tar (`docker load` reads it).
- `load.load_archive(store, source)`: either of them, from a tar (maybe compressed) or a directory.
- `rootfs.import_rootfs(...)` / `rootfs.export_rootfs(...)`: root filesystem tarballs <-> images.
"""
