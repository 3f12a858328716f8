"""The snapshot executor: one warm sandbox checkpointed per (image, device, limits) with runc
and CRIU, and every job judged in a fresh clone restored from it (`SnapshotSandbox`).

`availability.py` says whether this host can (CRIU >= 4.1 passing `criu check`, runc, root,
a CPU job); `rootfs.py` unpacks the image once; `bundle.py` writes the OCI bundle with the
same hardening as the engine's containers; `runc_box.py` drives runc; `template.py` boots and
checkpoints a template; `executor.py` restores one clone per job.
"""
