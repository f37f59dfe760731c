//! The `vexpr` REPL driven through a pipe: stdin is not a terminal, so lines are read
//! plainly, results go to stdout without prompts, errors to stderr; a script stops at its
//! first failing statement with status 1, or runs on with `--keep-going` (still status 1).
//!
//! Printed arrays are compared with NumPy 2.4's `repr` of the same values (written out by
//! hand here); files are checked with the library's `.npy` reader.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use vexpr::{Array, Scalar, npy};

/// What a session printed, and how it ended.
struct Session {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

/// Run the REPL with `script` on stdin until it ends.
fn session(script: &str) -> Session {
    session_bytes(script.as_bytes())
}

fn session_bytes(script: &[u8]) -> Session {
    session_with(&[], script)
}

/// Run the REPL with command-line `args` and `script` on stdin.
fn session_with(args: &[&str], script: &[u8]) -> Session {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vexpr"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start vexpr");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(script).expect("write the script");
    drop(stdin);
    let out = child.wait_with_output().expect("wait for vexpr");
    Session {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

/// A fresh, empty directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("repl-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// Run `script`, require status 0 and an empty stderr, and return stdout.
fn clean(script: &str) -> String {
    let s = session(script);
    assert_eq!(s.code, Some(0), "{script}\n{}", s.stderr);
    assert_eq!(s.stderr, "", "{script}");
    s.stdout
}

#[test]
fn assignments_and_expressions() {
    let out = clean("a = arange(4)\nb = a * 2 + 1\nb\n1 + 1\n");
    assert_eq!(out, "array([1, 3, 5, 7])\narray(2, dtype=int32)\n");
    // Reassigning replaces; names of functions and builtins are fine variables.
    let out = clean("a = arange(4)\na = a * 0.5\na\nsum = a + 1\nsum(sum)\nzeros = 2\nzeros * 3\n");
    assert_eq!(
        out,
        "array([0. , 0.5, 1. , 1.5])\narray(7.)\narray(6, dtype=int32)\n"
    );
}

#[test]
fn reductions_inside_expressions() {
    let out = clean("a = arange(4) * 1.0\nc = a - mean(a)\nc\nsum(c, keepdims=True)\nmax(a) - a\n");
    assert_eq!(
        out,
        "array([-1.5, -0.5,  0.5,  1.5])\narray([0.])\narray([3., 2., 1., 0.])\n"
    );
}

#[test]
fn every_builtin() {
    let out = clean(
        "linspace(0, 1, 5)\n\
         arange(2, 11, 3)\n\
         arange(0, 1, 0.25)\n\
         arange(4)\n\
         zeros((2, 3))\n\
         ones(3)\n\
         x = load(\"tests/data/npy/read/uint8.npy\")\n\
         x\n",
    );
    assert_eq!(
        out,
        "array([0.  , 0.25, 0.5 , 0.75, 1.  ])\n\
         array([2, 5, 8])\n\
         array([0.  , 0.25, 0.5 , 0.75])\n\
         array([0, 1, 2, 3])\n\
         array([[0., 0., 0.],\n       [0., 0., 0.]])\n\
         array([1., 1., 1.])\n\
         array([  0,   1, 255], dtype=int32)\n"
    );
}

#[test]
fn random_is_uniform_and_deterministic_per_seed() {
    let out = clean(
        "r = random(1e4, seed=1)\n\
         s = random(10_000, seed=1)\n\
         t = random(1e4, seed=2)\n\
         all((r >= 0) & (r < 1))\n\
         all(r == s)\n\
         any(r != t)\n\
         m = sum(r)\n\
         abs(m / 1e4 - 0.5) < 0.02\n\
         u = random((3, 4))\n\
         :vars\n",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[..4], ["array(True)"; 4], "{out}");
    assert!(lines.contains(&"u     float64  (3, 4)    96 B"), "{out}");
}

#[test]
fn save_then_load_round_trip() {
    let dir = scratch("save-load");
    let p = dir.join("b.npy");
    let q = dir.join("half.npy");
    let script = format!(
        "a = arange(5)\n\
         b = a * 2.5\n\
         save(b, \"{p}\")\n\
         save(a * 0.5, '{q}')\n\
         c = load(\"{p}\")\n\
         all(c == b)\n\
         load('{q}')\n",
        p = p.display(),
        q = q.display()
    );
    let out = clean(&script);
    assert_eq!(out, "array(True)\narray([0. , 0.5, 1. , 1.5, 2. ])\n");
    let saved = npy::read(&p).expect("read b.npy");
    let expect: Vec<f64> = vec![0.0, 2.5, 5.0, 7.5, 10.0];
    assert_eq!(saved, Array::from(ndarray::Array1::from(expect)));
    // A reduction saves a 0-d array.
    let r = dir.join("r.npy");
    clean(&format!(
        "a = arange(5)\nsave(sum(a), \"{}\")\n",
        r.display()
    ));
    assert_eq!(
        npy::read(&r).ok(),
        Some(Array::from_scalar(Scalar::Int64(10)))
    );
}

#[test]
fn every_command() {
    let out = clean(
        "a = arange(1000)\n\
         b = linspace(0, 1, 1000)\n\
         :vars\n\
         :isa\n\
         :threads 1\n\
         :threads\n\
         :dis a + 1\n\
         :time a * b\n\
         :help\n",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "name  dtype    shape    memory",
            "a     int64    (1000,)  7.8 KiB",
            "b     float64  (1000,)  7.8 KiB",
        ],
        "{out}"
    );
    assert!(["baseline", "avx2", "avx512"].contains(&lines[3]), "{out}");
    assert!(lines[4].starts_with("threads: 1 (was "), "{out}");
    assert_eq!(lines[5], "threads: 1");
    assert!(out.contains("add.i64"), "{out}");
    let time = lines
        .iter()
        .find(|l| l.starts_with("median "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        time.contains(" runs), ") && time.ends_with(" M elements/s"),
        "{time}"
    );
    for command in [
        ":dis", ":time", ":threads", ":vars", ":isa", ":help", ":quit",
    ] {
        assert!(out.contains(command), "{command} missing from :help");
    }
}

#[test]
fn errors_do_not_end_the_session() {
    let dir = scratch("errors");
    let script = format!(
        "a = arange(3)\n\
         q + 1\n\
         a +\n\
         :nope\n\
         :threads 0\n\
         True = 1\n\
         zeros(-1)\n\
         load(\"{missing}\")\n\
         save(nothing, \"{out}\")\n\
         x = load(1)\n\
         a\n",
        missing = dir.join("missing.npy").display(),
        out = dir.join("o.npy").display(),
    );
    let s = session_with(&["--keep-going"], script.as_bytes());
    assert_eq!(s.code, Some(1), "{}", s.stderr);
    assert_eq!(s.stdout, "array([0, 1, 2])\n");
    let errors: Vec<&str> = s
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(errors.len(), 9, "{}", s.stderr);
    assert!(
        s.stderr
            .starts_with("error: unknown variable `q`\n  q + 1\n  ^\n"),
        "{}",
        s.stderr
    );
    assert!(s.stderr.contains("missing.npy"), "{}", s.stderr);
    assert!(
        s.stderr.contains("unknown variable `nothing`"),
        "{}",
        s.stderr
    );
    assert!(!dir.join("o.npy").exists());
}

#[test]
fn quitting_and_the_end_of_input() {
    for quit in [":quit", ":q", "exit", "quit"] {
        let out = clean(&format!("1\n{quit}\n2\n"));
        assert_eq!(out, "array(1, dtype=int32)\n", "{quit}");
    }
    // No newline at the end, comments, blank lines, an empty input.
    assert_eq!(clean("# a comment\n\n   \n3"), "array(3, dtype=int32)\n");
    assert_eq!(clean(""), "");
    // Invalid UTF-8 is an error like any other.
    let s = session_with(&["--keep-going"], b"\xff\xfe\n4\n");
    assert_eq!(
        (s.code, s.stdout.as_str()),
        (Some(1), "array(4, dtype=int32)\n")
    );
    assert!(s.stderr.starts_with("error"), "{}", s.stderr);
}

#[test]
fn a_script_stops_at_its_first_error_with_status_1() {
    let s = session("a = arange(3)\na\nq + 1\na * 2\n");
    assert_eq!(s.code, Some(1), "{}", s.stderr);
    assert_eq!(s.stdout, "array([0, 1, 2])\n");
    assert!(
        s.stderr.starts_with("error: unknown variable `q`"),
        "{}",
        s.stderr
    );
    assert_eq!(s.stderr.matches("error").count(), 1, "{}", s.stderr);
    // --keep-going runs the rest, and the status still says a statement failed.
    let s = session_with(&["--keep-going"], b"a = arange(3)\nq + 1\na * 2\n");
    assert_eq!(s.code, Some(1), "{}", s.stderr);
    assert_eq!(s.stdout, "array([0, 2, 4])\n");
    // A failing builtin or command counts as well; :quit after success is status 0.
    for bad in [
        "zeros(-1)",
        ":nope",
        "load(\"missing.npy\")",
        "save(q, \"x.npy\")",
    ] {
        let s = session(&format!("{bad}\n1\n"));
        assert_eq!((s.code, s.stdout.as_str()), (Some(1), ""), "{bad}");
    }
    assert_eq!(session("1\n:quit\n").code, Some(0));
}

#[test]
fn builtins_inside_expressions() {
    let out = clean(
        "sum(arange(10))\n\
         zeros(3) + ones(3) * 2\n\
         x = linspace(0, 1, 5) * 4\n\
         x\n\
         sum(random(1000, seed=3) < 1)\n\
         sum(arange(3) * arange(3))\n\
         :dis sin(zeros(4))\n",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "array(45)");
    assert_eq!(lines[1], "array([2., 2., 2.])");
    assert_eq!(lines[2], "array([0., 1., 2., 3., 4.])");
    assert_eq!(lines[3], "array(1000)");
    assert_eq!(lines[4], "array(5)");
    assert!(out.contains("sin.f64"), "{out}");
    // An error points at the user's text, and a bad builtin argument names the builtin.
    let s = session("zeros(3) + q\n");
    assert_eq!(s.code, Some(1));
    assert_eq!(
        s.stderr,
        "error: unknown variable `q`\n  zeros(3) + q\n             ^\n"
    );
    let s = session("1 + zeros(-1)\n");
    assert!(s.stderr.starts_with("error: zeros"), "{}", s.stderr);
    // A variable named like a builtin is still the variable when not called.
    assert_eq!(clean("ones = 5\nones + ones(2)\n"), "array([6., 6.])\n");
}

#[test]
fn jit_can_be_shown_and_set() {
    let out = clean(":jit off\n:jit\n:jit always\nsum(arange(10) * 2)\n:jit auto\n");
    assert_eq!(
        out,
        "jit: off (was auto)\njit: off\njit: always (was off)\narray(90)\njit: auto (was always)\n"
    );
    let s = session(":jit sometimes\n");
    assert_eq!(s.code, Some(1));
    assert!(
        s.stderr.contains("usage: :jit [off|auto|always]"),
        "{}",
        s.stderr
    );
}

#[test]
fn precision_can_be_shown_and_set() {
    let out = clean(":precision\n:precision fast\n:precision\n:precision high\n");
    assert_eq!(
        out,
        "precision: high\nprecision: fast (was high)\nprecision: fast\nprecision: high (was fast)\n"
    );
    let s = session(":precision medium\n");
    assert_eq!(s.code, Some(1));
    assert!(
        s.stderr.contains("usage: :precision [high|fast]"),
        "{}",
        s.stderr
    );
}
