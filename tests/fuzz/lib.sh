# lib.sh: what tests/fuzz/run and tests/fuzz/check.sh share (sourced, not run).

FUZZ_TARGETS=(nfcsv binetflow ipfix seeds profile customers shard)
# shard-file is not among them: fuzz_shard mutating anywhere in the file
# (C2H_FUZZ_SHARD_WHOLE=1), which finds HDF5 1.10's own crashes (docs/FUZZING.md).

# The fuzz binary of a target.
fuzz_bin_name() { # fuzz_bin_name TARGET
  case $1 in shard-file) echo fuzz_shard ;; *) echo "fuzz_$1" ;; esac
}

# The longest input libFuzzer makes for a target: text files of a few hundred lines, IPFIX
# files of several messages, shards of a few chunks (a small shard is ~30 KB of HDF5).
fuzz_max_len() {
  case $1 in
    nfcsv|binetflow|ipfix) echo 32768 ;;
    seeds) echo 16384 ;;
    profile|customers) echo 4096 ;;
    shard|shard-file) echo 65536 ;;
    *) echo "unknown fuzz target '$1'" >&2; return 1 ;;
  esac
}

# libFuzzer options every run uses: an input that takes 10 s is a hang, 2 GiB of RSS an
# out-of-memory; -dict when the target has one. Prints one option a line.
fuzz_opts() { # fuzz_opts TARGET
  local t=$1 dir
  dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  echo "-max_len=$(fuzz_max_len "$t")"
  echo "-timeout=10"
  echo "-rss_limit_mb=2048"
  echo "-print_final_stats=1"
  [ -f "$dir/dict/$t.dict" ] && echo "-dict=$dir/dict/$t.dict"
  return 0
}

# Environment for a target's runs, one NAME=VALUE a line; it replaces any sanitizer options
# the caller has (setup.sh's ASan stage exports its own). HDF5's file locking is off (the
# work folders may be on file systems without it). The shard targets get the HDF5 leak
# suppressions (hdf5.supp) and let a huge allocation fail as it does without ASan (HDF5
# then reports an error) instead of aborting; shard-file mutates the whole file.
fuzz_env() { # fuzz_env TARGET
  local dir
  dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  echo "HDF5_USE_FILE_LOCKING=FALSE"
  echo "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
  case $1 in
    shard|shard-file)
      echo "LSAN_OPTIONS=suppressions=$dir/hdf5.supp:print_suppressions=0"
      echo "ASAN_OPTIONS=allocator_may_return_null=1" ;;
    *)
      echo "LSAN_OPTIONS="
      echo "ASAN_OPTIONS=" ;;
  esac
  [ "$1" = shard-file ] && echo "C2H_FUZZ_SHARD_WHOLE=1"
  return 0
}
