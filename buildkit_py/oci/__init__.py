"""oci stage of the pipeline (see DESIGN.md): OCI image objects and layers.

Public modules: `mediatypes` (names and their mapping), `image` (Descriptor, Manifest, Index,
ImageConfig, canonical_json), `layer` (write layers, apply layers). The rest are their parts:
`config`, `jsonfields`, `layerbase`, `layerwrite`, `apply`, `compress`, `tarentry`, `tarstream`.
"""
