# Slurm: slurm/submit's sizing (no Slurm needed), and the templates run on a real single-node
# Slurm that the test starts and stops itself (root and Debian's slurm-wlm and munge, which
# setup.sh installs; skipped without them, except under CI). docs/SLURM.md.
c2h_add_script_test(slurm_submit slurm_submit.sh)
c2h_add_script_test(slurm_job slurm_job.sh)
# One Slurm node of nproc CPUs: keep other tests' ranks off it, and give the daemons time.
set_tests_properties(slurm_job PROPERTIES RUN_SERIAL TRUE TIMEOUT 300)
