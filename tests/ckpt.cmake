# Checkpoints of `c2hunt run` (mpi/ckpt.c, mpi/cmd_run.c).
#   run_resume: a job stopped after pass 1, 2 or 3 (C2H_STOP_AFTER_PASS) or killed with SIGKILL,
#               then --resume: roles.csv and report.json byte-identical to an uninterrupted
#               run; resumes with another rank count, other seeds or window refused (exit 2).
c2h_add_script_test(run_resume run_resume.sh)
set_tests_properties(run_resume PROPERTIES LABELS run TIMEOUT 300)
