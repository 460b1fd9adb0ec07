"""registry stage of the pipeline (see DESIGN.md): OCI distribution client, pull, push, remote cache.

    pull.pull_image(store, "busybox:1.36", platform="linux/arm64") -> digest
    push.push_image(store, manifest_digest, "registry.example/app:1")
    cache.import_cache(store, "type=registry,ref=reg/app:cache") -> RemoteCache
    cache.export_cache(store, "type=local,dest=dir,mode=max", records, final_layers=[...])

Modules: client (requests, auth, retries, manifests), blobs (streamed transfer), auth and
credentials (tokens, docker's config.json), config (registries.toml: mirrors, http, CAs),
transport (connection pool, proxies, TLS). Heavy nothing: standard library only.
"""
