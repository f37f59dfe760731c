//! Tests of [`super::parse`]: tree shapes (through an iterative S-expression printer),
//! spans, every error form with its span and message, the limits on a small stack, and a
//! no-panic sweep over pseudo-random inputs.

use bumpalo::Bump;

use super::ast::{Attr, BinaryOp, CompareOp, Expr, ExprKind, UnaryOp};
use super::parse;
use crate::error::{ErrorKind, Span};
use crate::limits::{MAX_NESTING, MAX_SOURCE_LEN};

/// The S-expression name of an operator.
fn unary_name(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Neg => "neg",
        UnaryOp::Pos => "pos",
        UnaryOp::Invert => "invert",
        UnaryOp::Not => "not",
    }
}

/// See [`unary_name`].
fn binary_name(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Or => "or",
        BinaryOp::And => "and",
        BinaryOp::BitOr => "bitor",
        BinaryOp::BitXor => "bitxor",
        BinaryOp::BitAnd => "bitand",
        BinaryOp::Shl => "shl",
        BinaryOp::Shr => "shr",
        BinaryOp::Add => "add",
        BinaryOp::Sub => "sub",
        BinaryOp::Mul => "mul",
        BinaryOp::Div => "div",
        BinaryOp::FloorDiv => "floordiv",
        BinaryOp::Mod => "mod",
        BinaryOp::Pow => "pow",
    }
}

/// One step of the printer: print a node, or emit text.
enum Step<'a> {
    /// Print this node.
    Node(&'a Expr<'a>),
    /// Emit this text.
    Text(String),
}

/// The tree as an S-expression, e.g. `(neg (pow 2 2))`, keyword arguments as `axis=1`.
/// Iterative: a work stack of steps, pushed in reverse, so any depth prints.
fn sexpr(root: &Expr<'_>) -> String {
    let mut out = String::new();
    let mut stack = vec![Step::Node(root)];
    let space = || Step::Text(" ".to_owned());
    while let Some(step) = stack.pop() {
        let expr = match step {
            Step::Text(text) => {
                out.push_str(&text);
                continue;
            }
            Step::Node(expr) => expr,
        };
        // A leaf prints at once; a compound node gives its head and its parts, each part
        // with the separator before it.
        let (head, parts): (String, Vec<Step<'_>>) = match expr.kind {
            ExprKind::Int(text) => (text.to_owned(), vec![]),
            ExprKind::Float(v) => (format!("{v:?}"), vec![]),
            ExprKind::Imag(v) => (format!("{v:?}j"), vec![]),
            ExprKind::Bool(b) => ((if b { "True" } else { "False" }).to_owned(), vec![]),
            ExprKind::NoneLit => ("None".to_owned(), vec![]),
            ExprKind::Str(bytes) => {
                let escaped: String = bytes.escape_ascii().map(char::from).collect();
                (format!("b'{escaped}'"), vec![])
            }
            ExprKind::Name(name) => (name.to_owned(), vec![]),
            ExprKind::Unary { op, arg, .. } => {
                (unary_name(op).to_owned(), vec![space(), Step::Node(arg)])
            }
            ExprKind::Binary { op, lhs, rhs, .. } => (
                binary_name(op).to_owned(),
                vec![space(), Step::Node(lhs), space(), Step::Node(rhs)],
            ),
            ExprKind::Compare { first, rest } => {
                let mut parts = vec![space(), Step::Node(first)];
                for (op, _, rhs) in rest {
                    parts.push(Step::Text(format!(" {} ", op)));
                    parts.push(Step::Node(rhs));
                }
                ("cmp".to_owned(), parts)
            }
            ExprKind::IfElse {
                then,
                cond,
                otherwise,
            } => (
                "ifelse".to_owned(),
                vec![
                    space(),
                    Step::Node(then),
                    space(),
                    Step::Node(cond),
                    space(),
                    Step::Node(otherwise),
                ],
            ),
            ExprKind::Call {
                name, args, kwargs, ..
            } => {
                let mut parts = vec![];
                for arg in args {
                    parts.push(space());
                    parts.push(Step::Node(arg));
                }
                for kw in kwargs {
                    parts.push(Step::Text(format!(" {}=", kw.name)));
                    parts.push(Step::Node(kw.value));
                }
                (format!("call {name}"), parts)
            }
            ExprKind::Attr { attr, arg, .. } => {
                let head = match attr {
                    Attr::Real => "real",
                    Attr::Imag => "imag",
                };
                (head.to_owned(), vec![space(), Step::Node(arg)])
            }
        };
        if parts.is_empty() && !matches!(expr.kind, ExprKind::Call { .. }) {
            out.push_str(&head);
            continue;
        }
        out.push('(');
        out.push_str(&head);
        stack.push(Step::Text(")".to_owned()));
        stack.extend(parts.into_iter().rev());
    }
    out
}

/// The tree of `src` as an S-expression; panics on an error.
fn tree(src: &str) -> String {
    let arena = Bump::new();
    match parse(src, &arena) {
        Ok(root) => sexpr(root),
        Err(e) => panic!("{src:?} failed: {} at {:?}", e.message(), e.span()),
    }
}

/// Runs `check` on the root of `src`; panics on an error.
fn with_root<R>(src: &str, check: impl FnOnce(&Expr<'_>) -> R) -> R {
    let arena = Bump::new();
    match parse(src, &arena) {
        Ok(root) => check(root),
        Err(e) => panic!("{src:?} failed: {} at {:?}", e.message(), e.span()),
    }
}

/// The error of `src`: kind, span and message; panics if it parses.
fn error(src: &str) -> (ErrorKind, Span, String) {
    let arena = Bump::new();
    match parse(src, &arena) {
        Ok(root) => panic!("{src:?} parsed as {}", sexpr(root)),
        Err(e) => (
            e.kind(),
            e.span().unwrap_or(Span::new(usize::MAX, usize::MAX)),
            e.message().to_owned(),
        ),
    }
}

/// Asserts that `src` is a syntax error at `start..end` with `message`.
fn assert_syntax_error(src: &str, start: usize, end: usize, message: &str) {
    assert_eq!(
        error(src),
        (ErrorKind::Syntax, Span::new(start, end), message.to_owned()),
        "source {src:?}"
    );
}

#[test]
fn leaves() {
    assert_eq!(tree("x"), "x");
    assert_eq!(tree("0x1F"), "0x1F");
    assert_eq!(tree("1_000"), "1_000");
    assert_eq!(tree("1.5"), "1.5");
    assert_eq!(tree("1e400"), "inf");
    assert_eq!(tree("2J"), "2.0j");
    assert_eq!(tree("True"), "True");
    assert_eq!(tree("False"), "False");
    assert_eq!(tree("None"), "None");
    assert_eq!(tree(r"b'a\x00\n'"), r"b'a\x00\n'");
    assert_eq!(tree("  x  # trailing comment"), "x");
}

#[test]
fn each_level_against_its_neighbours() {
    let cases = [
        ("a if c else b", "(ifelse a c b)"),
        ("a or b if c else d", "(ifelse (or a b) c d)"),
        ("a if b or c else d or e", "(ifelse a (or b c) (or d e))"),
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("not a and b", "(and (not a) b)"),
        ("a and not b", "(and a (not b))"),
        ("not a == b", "(not (cmp a == b))"),
        ("a == b | c", "(cmp a == (bitor b c))"),
        ("a | b ^ c", "(bitor a (bitxor b c))"),
        ("a ^ b | c", "(bitor (bitxor a b) c)"),
        ("a ^ b & c", "(bitxor a (bitand b c))"),
        ("a & b << c", "(bitand a (shl b c))"),
        ("a << b + c", "(shl a (add b c))"),
        ("a + b * c", "(add a (mul b c))"),
        ("a * b + c", "(add (mul a b) c)"),
        ("a * -b", "(mul a (neg b))"),
        ("-a * b", "(mul (neg a) b)"),
        ("-a ** b", "(neg (pow a b))"),
        ("~a ** 2", "(invert (pow a 2))"),
        ("+a", "(pos a)"),
        ("-x.real", "(neg (real x))"),
        ("x.real ** 2", "(pow (real x) 2)"),
        ("2 ** f(x)", "(pow 2 (call f x))"),
    ];
    for (src, expected) in cases {
        assert_eq!(tree(src), expected, "{src}");
    }
}

#[test]
fn power_binds_tighter_than_a_unary_on_its_left_only() {
    let cases = [
        ("-2**2", "(neg (pow 2 2))"),
        ("2**-1", "(pow 2 (neg 1))"),
        ("a**b**c", "(pow a (pow b c))"),
        ("-a**-b", "(neg (pow a (neg b)))"),
        ("a**-b**c", "(pow a (neg (pow b c)))"),
        ("a**~-b", "(pow a (invert (neg b)))"),
        ("(-2)**2", "(pow (neg 2) 2)"),
    ];
    for (src, expected) in cases {
        assert_eq!(tree(src), expected, "{src}");
    }
}

#[test]
fn binary_levels_are_left_associative() {
    let cases = [
        ("a - b - c", "(sub (sub a b) c)"),
        (
            "a / b // c % d * e",
            "(mul (mod (floordiv (div a b) c) d) e)",
        ),
        ("a << b >> c", "(shr (shl a b) c)"),
        ("a & b & c", "(bitand (bitand a b) c)"),
        ("a or b or c", "(or (or a b) c)"),
        ("a and b and c", "(and (and a b) c)"),
    ];
    for (src, expected) in cases {
        assert_eq!(tree(src), expected, "{src}");
    }
}

#[test]
fn traps() {
    let cases = [
        ("a < b & c", "(cmp a < (bitand b c))"),
        ("a & b | c", "(bitor (bitand a b) c)"),
        ("a + b << c", "(shl (add a b) c)"),
        ("a--b", "(sub a (neg b))"),
        ("a+++b", "(add a (pos (pos b)))"),
        ("a-~-b", "(sub a (invert (neg b)))"),
    ];
    for (src, expected) in cases {
        assert_eq!(tree(src), expected, "{src}");
    }
}

#[test]
fn comparisons_chain_into_one_node() {
    assert_eq!(tree("a < b"), "(cmp a < b)");
    assert_eq!(tree("a < b <= c"), "(cmp a < b <= c)");
    assert_eq!(
        tree("a == b != c > d >= e < f <= g"),
        "(cmp a == b != c > d >= e < f <= g)"
    );
    // Parentheses break a chain.
    assert_eq!(tree("(a < b) < c"), "(cmp (cmp a < b) < c)");
    with_root("a < b <= c", |root| match root.kind {
        ExprKind::Compare { rest, .. } => {
            assert_eq!(rest.len(), 2);
            assert_eq!((rest[0].0, rest[0].1), (CompareOp::Lt, Span::new(2, 3)));
            assert_eq!((rest[1].0, rest[1].1), (CompareOp::Le, Span::new(6, 8)));
        }
        _ => panic!("not a comparison"),
    });
}

#[test]
fn logical_forms_nest_like_python() {
    let cases = [
        ("x if a else y if b else z", "(ifelse x a (ifelse y b z))"),
        ("(x if a else y) if b else z", "(ifelse (ifelse x a y) b z)"),
        ("x if (y if a else b) else z", "(ifelse x (ifelse y a b) z)"),
        ("not not a", "(not (not a))"),
        ("not a or not b and c", "(or (not a) (and (not b) c))"),
        (
            "a < b and b < c or not d",
            "(or (and (cmp a < b) (cmp b < c)) (not d))",
        ),
        ("f(x if c else y, z)", "(call f (ifelse x c y) z)"),
    ];
    for (src, expected) in cases {
        assert_eq!(tree(src), expected, "{src}");
    }
}

#[test]
fn attributes_follow_any_primary() {
    let cases = [
        ("x.real", "(real x)"),
        ("x . imag", "(imag x)"),
        ("1.5.real", "(real 1.5)"),
        ("1..real", "(real 1.0)"),
        ("0x1.imag", "(imag 0x1)"),
        ("1 .real", "(real 1)"),
        ("(1+2j).imag", "(imag (add 1 2.0j))"),
        ("f(x).imag", "(imag (call f x))"),
        ("x.real.imag", "(imag (real x))"),
        ("'a'.real", "(real b'a')"),
        ("real(x) + x.real", "(add (call real x) (real x))"),
    ];
    for (src, expected) in cases {
        assert_eq!(tree(src), expected, "{src}");
    }
}

#[test]
fn calls_with_positional_and_keyword_arguments() {
    let cases = [
        ("f()", "(call f)"),
        ("f(x)", "(call f x)"),
        ("f(x,)", "(call f x)"),
        ("where(a, b, c)", "(call where a b c)"),
        ("sum(x, axis=1)", "(call sum x axis=1)"),
        ("sum(x, axis=None,)", "(call sum x axis=None)"),
        ("f(a=1, b=-2)", "(call f a=1 b=(neg 2))"),
        ("f((x))", "(call f x)"),
        ("f(g(h(x)))", "(call f (call g (call h x)))"),
        ("__import__('os')", "(call __import__ b'os')"),
        ("f (x)", "(call f x)"),
    ];
    for (src, expected) in cases {
        assert_eq!(tree(src), expected, "{src}");
    }
}

#[test]
fn spans_cover_the_source_of_each_node() {
    with_root("a + b * c", |root| {
        assert_eq!(root.span, Span::new(0, 9));
        let ExprKind::Binary { op_span, rhs, .. } = root.kind else {
            panic!("not binary");
        };
        assert_eq!(op_span, Span::new(2, 3));
        assert_eq!(rhs.span, Span::new(4, 9));
        let ExprKind::Binary { op_span, .. } = rhs.kind else {
            panic!("not binary");
        };
        assert_eq!(op_span, Span::new(6, 7));
    });
    // Parentheses are not part of the node they enclose, but are of the node around them.
    with_root("(a + b)", |root| assert_eq!(root.span, Span::new(1, 6)));
    with_root("(a) * b", |root| {
        assert_eq!(root.span, Span::new(0, 7));
        let ExprKind::Binary { lhs, .. } = root.kind else {
            panic!("not binary");
        };
        assert_eq!(lhs.span, Span::new(1, 2));
    });
    with_root("-2**2", |root| {
        let ExprKind::Unary { op, op_span, arg } = root.kind else {
            panic!("not unary");
        };
        assert_eq!(
            (op, op_span, root.span),
            (UnaryOp::Neg, Span::new(0, 1), Span::new(0, 5))
        );
        let ExprKind::Binary { op, op_span, .. } = arg.kind else {
            panic!("not binary");
        };
        assert_eq!(
            (op, op_span, arg.span),
            (BinaryOp::Pow, Span::new(2, 4), Span::new(1, 5))
        );
    });
    with_root("not x", |root| {
        let ExprKind::Unary { op, op_span, .. } = root.kind else {
            panic!("not unary");
        };
        assert_eq!((op, op_span), (UnaryOp::Not, Span::new(0, 3)));
    });
    with_root("f(x, axis=1)", |root| {
        let ExprKind::Call {
            name,
            name_span,
            args,
            kwargs,
        } = root.kind
        else {
            panic!("not a call");
        };
        assert_eq!(
            (name, name_span, root.span),
            ("f", Span::new(0, 1), Span::new(0, 12))
        );
        assert_eq!(args.len(), 1);
        assert_eq!(args[0].span, Span::new(2, 3));
        assert_eq!(kwargs.len(), 1);
        assert_eq!(
            (kwargs[0].name, kwargs[0].name_span),
            ("axis", Span::new(5, 9))
        );
        assert_eq!(kwargs[0].value.span, Span::new(10, 11));
    });
    with_root("x . imag", |root| {
        let ExprKind::Attr {
            attr, attr_span, ..
        } = root.kind
        else {
            panic!("not an attribute");
        };
        assert_eq!(
            (attr, attr_span, root.span),
            (Attr::Imag, Span::new(4, 8), Span::new(0, 8))
        );
    });
    with_root("x if c else y", |root| {
        assert_eq!(root.span, Span::new(0, 13))
    });
    with_root("b'ab'", |root| assert_eq!(root.span, Span::new(0, 5)));
    with_root("  x  ", |root| assert_eq!(root.span, Span::new(2, 3)));
}

#[test]
fn errors_of_the_conformance_corpus() {
    let operand = "expected an operand";
    let operator = "expected an operator";
    let assign = "unexpected `=`: `=` only names a keyword argument (`f(x, axis=0)`); \
                  to compare, write `==`";
    let eof = |hint: &str| format!("unexpected end of expression; {hint}");
    let cases: Vec<(&str, usize, usize, String)> = vec![
        ("x +", 3, 3, eof(operand)),
        ("x + * y", 4, 5, format!("unexpected `*`; {operand}")),
        ("(x + y", 0, 1, "`(` was never closed".into()),
        ("x + y)", 5, 6, "unmatched `)`".into()),
        ("x y", 2, 3, format!("unexpected name `y`; {operator}")),
        ("", 0, 0, "empty expression".into()),
        ("x = 1", 2, 3, assign.into()),
        ("x ==", 4, 4, eof(operand)),
        ("* x", 0, 1, format!("unexpected `*`; {operand}")),
        ("x **", 4, 4, eof(operand)),
        ("sin(x", 3, 4, "`(` was never closed".into()),
        ("sin x", 4, 5, format!("unexpected name `x`; {operator}")),
        ("x + + ", 6, 6, eof(operand)),
        ("2 +* 3", 3, 4, format!("unexpected `*`; {operand}")),
        (
            "x..real",
            2,
            3,
            "unexpected `.`; expected `real` or `imag` after `.`".into(),
        ),
        ("x $ y", 2, 3, "unexpected character `$`".into()),
        (
            "x ! y",
            2,
            3,
            "unexpected `!`: for negation, write `~x` or `not x`".into(),
        ),
        (
            "x && y",
            2,
            4,
            "unexpected `&&`: for a logical and, write `&` or `and`".into(),
        ),
        (
            "x || y",
            2,
            4,
            "unexpected `||`: for a logical or, write `|` or `or`".into(),
        ),
        (
            "!x",
            0,
            1,
            "unexpected `!`: for negation, write `~x` or `not x`".into(),
        ),
        (
            "x ? y : x",
            2,
            3,
            "unexpected `?`: for a conditional, write `x if cond else y`".into(),
        ),
        (
            "x <> y",
            2,
            4,
            "unexpected `<>`: for inequality, write `!=`".into(),
        ),
        ("x === y", 4, 5, assign.into()),
        ("1 2", 2, 3, format!("unexpected number `2`; {operator}")),
        (
            "x,",
            1,
            2,
            "unexpected `,`: tuples are not supported".into(),
        ),
        (
            "()",
            1,
            2,
            "unexpected `)`: empty parentheses `()` are not an expression".into(),
        ),
        (
            "lambda: x",
            0,
            6,
            "`lambda` is not supported in vexpr expressions".into(),
        ),
        (
            "[x]",
            0,
            1,
            "unexpected `[`: subscripts and lists are not supported".into(),
        ),
        (
            "x[0]",
            1,
            2,
            "unexpected `[`: subscripts and lists are not supported".into(),
        ),
        (
            "x; y",
            1,
            2,
            "unexpected `;`: an expression is a single statement".into(),
        ),
        (
            "x.T",
            2,
            3,
            "attribute `.T` is not supported (only `.real` and `.imag`)".into(),
        ),
        (
            "x.sum()",
            2,
            5,
            "attribute `.sum` is not supported (only `.real` and `.imag`)".into(),
        ),
        (
            "x.__class__",
            2,
            11,
            "attribute `.__class__` is not supported (only `.real` and `.imag`)".into(),
        ),
        (
            "x:y",
            1,
            2,
            "unexpected `:`: slices, lambdas and annotations are not supported".into(),
        ),
        (
            "(x, y)",
            2,
            3,
            "unexpected `,`: tuples are not supported".into(),
        ),
        (
            "{x}",
            0,
            1,
            "unexpected `{`: sets and dicts are not supported".into(),
        ),
        (
            "x @ y",
            2,
            3,
            "unexpected `@`: the matrix product is not supported".into(),
        ),
        (
            "x in y",
            2,
            4,
            "`in` is not supported in vexpr expressions".into(),
        ),
    ];
    for (src, start, end, message) in cases {
        assert_syntax_error(src, start, end, &message);
    }
}

#[test]
fn more_errors_name_what_was_found() {
    let operand = "expected an operand";
    let call = "only a function name can be called";
    let unpacking = "argument unpacking is not supported";
    let cases: Vec<(&str, usize, usize, String)> = vec![
        ("f(x)(y)", 4, 5, format!("unexpected `(`: {call}")),
        ("(x)(y)", 3, 4, format!("unexpected `(`: {call}")),
        ("x.real(y)", 6, 7, format!("unexpected `(`: {call}")),
        ("1(2)", 1, 2, format!("unexpected `(`: {call}")),
        ("f(*x)", 2, 3, format!("unexpected `*`: {unpacking}")),
        ("f(x, **y)", 5, 7, format!("unexpected `**`: {unpacking}")),
        ("(*x)", 1, 2, format!("unexpected `*`; {operand}")),
        ("f(a=1, x)", 7, 8, "positional argument follows keyword argument".into()),
        ("f(a=1, x + 1)", 7, 12, "positional argument follows keyword argument".into()),
        ("f(x, axis=1, axis=2)", 13, 17, "keyword argument `axis` repeated".into()),
        ("f(x=1", 1, 2, "`(` was never closed".into()),
        ("f(,)", 2, 3, format!("unexpected `,`; {operand}")),
        ("f(x,,)", 4, 5, format!("unexpected `,`; {operand}")),
        ("f((x, y))", 4, 5, "unexpected `,`: tuples are not supported".into()),
        ("x.(y)", 2, 3, "unexpected `(`; expected `real` or `imag` after `.`".into()),
        ("x.,", 2, 3, "unexpected `,`; expected `real` or `imag` after `.`".into()),
        ("f(=1)", 2, 3, "unexpected `=`: `=` only names a keyword argument (`f(x, axis=0)`); to compare, write `==`".into()),
        ("x.=", 2, 3, "unexpected `=`; expected `real` or `imag` after `.`".into()),
        ("f(1=2)", 3, 4, "unexpected `=`: `=` only names a keyword argument (`f(x, axis=0)`); to compare, write `==`".into()),
        ("x if c", 6, 6, "unexpected end of expression; expected `else`".into()),
        ("x if c y", 7, 8, "unexpected name `y`; expected `else`".into()),
        ("x if y else", 11, 11, format!("unexpected end of expression; {operand}")),
        ("x.", 2, 2, "unexpected end of expression; expected `real` or `imag` after `.`".into()),
        ("x.1", 1, 3, "unexpected number `.1`; expected an operator".into()),
        ("not", 3, 3, format!("unexpected end of expression; {operand}")),
        ("a == not b", 5, 8, format!("unexpected `not`; {operand}")),
        ("x + )", 4, 5, "unmatched `)`".into()),
        ("(x + )", 5, 6, format!("unexpected `)`; {operand}")),
        ("(x))", 3, 4, "unmatched `)`".into()),
        ("((x", 1, 2, "`(` was never closed".into()),
        ("(f(x) + (y", 8, 9, "`(` was never closed".into()),
        ("'a' 'b'", 4, 7, "unexpected string `'b'`; expected an operator".into()),
        ("x 'abcdefghijklmnopqrstuvwxyz'", 2, 30, "unexpected string `'abcdefghijklmnopqrstuvw...`; expected an operator".into()),
        ("True False", 5, 10, "unexpected `False`; expected an operator".into()),
        ("x is None", 2, 4, "`is` is not supported in vexpr expressions".into()),
        ("x\ny", 1, 2, "newline in expression".into()),
        ("x +\r\n y", 3, 4, "newline in expression".into()),
        ("x # comment\n", 11, 12, "newline in expression".into()),
        ("   ", 0, 3, "empty expression".into()),
        ("# only a comment", 0, 16, "empty expression".into()),
        ("x + # comment", 13, 13, format!("unexpected end of expression; {operand}")),
        ("1if x else 2", 0, 3, "invalid decimal literal".into()),
        ("x + 010", 4, 7, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers".into()),
        ("x + é", 4, 6, "unexpected character `é`".into()),
        // The first error from the left wins.
        ("x y $", 2, 3, "unexpected name `y`; expected an operator".into()),
        ("x $ )", 2, 3, "unexpected character `$`".into()),
    ];
    for (src, start, end, message) in cases {
        assert_syntax_error(src, start, end, &message);
    }
}

/// `n` nested parentheses around `x`.
fn nested(n: usize) -> String {
    format!("{}x{}", "(".repeat(n), ")".repeat(n))
}

#[test]
fn nesting_limit_is_exact() {
    assert_eq!(MAX_NESTING, 256, "the messages below spell the limit out");
    with_root(&nested(MAX_NESTING), |root| {
        assert_eq!(root.span, Span::new(MAX_NESTING, MAX_NESTING + 1));
    });
    assert_eq!(
        error(&nested(MAX_NESTING + 1)),
        (
            ErrorKind::Limit,
            Span::new(MAX_NESTING, MAX_NESTING + 1),
            "nesting deeper than 256 brackets".to_owned()
        )
    );
    // Call argument lists count as brackets too.
    let calls = |n: usize| format!("{}x{}", "f(".repeat(n), ")".repeat(n));
    with_root(&calls(MAX_NESTING), |root| {
        assert!(matches!(root.kind, ExprKind::Call { name: "f", .. }));
    });
    let at = 2 * MAX_NESTING + 1;
    assert_eq!(
        error(&calls(MAX_NESTING + 1)),
        (
            ErrorKind::Limit,
            Span::new(at, at + 1),
            "nesting deeper than 256 brackets".to_owned()
        )
    );
    // Depth is what counts, not the number of brackets.
    let siblings = vec!["(x)"; 10_000].join("+");
    with_root(&siblings, |root| {
        assert_eq!(root.span, Span::new(0, siblings.len()))
    });
}

#[test]
fn source_length_limit_is_exact() {
    // `x+x+...+x` and one blank: exactly the limit.
    let mut src = format!("x{}", "+x".repeat((MAX_SOURCE_LEN - 2) / 2));
    src.push(' ');
    assert_eq!(src.len(), MAX_SOURCE_LEN);
    with_root(&src, |root| {
        assert_eq!(root.span, Span::new(0, MAX_SOURCE_LEN - 1))
    });
    src.push(' ');
    assert_eq!(
        error(&src),
        (
            ErrorKind::Limit,
            Span::new(MAX_SOURCE_LEN, MAX_SOURCE_LEN + 1),
            format!(
                "expression is too long ({} bytes; the limit is {MAX_SOURCE_LEN})",
                MAX_SOURCE_LEN + 1
            )
        )
    );
    // A two-byte character across the limit: the span starts on its first byte.
    let straddling = format!("{}é", "x".repeat(MAX_SOURCE_LEN - 1));
    assert_eq!(
        error(&straddling).1,
        Span::new(MAX_SOURCE_LEN - 1, MAX_SOURCE_LEN + 1)
    );
}

/// Runs `body` on a thread with a 256 KiB stack: parsing must not recurse over the input.
fn on_small_stack(body: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(body)
        .expect("spawn a test thread");
    if let Err(panic) = handle.join() {
        std::panic::resume_unwind(panic);
    }
}

/// How many times `step` can go down from `root` (an iterative walk down one spine).
fn spine_length<'a>(
    root: &'a Expr<'a>,
    step: impl Fn(&'a Expr<'a>) -> Option<&'a Expr<'a>>,
) -> usize {
    let mut count = 0;
    let mut node = root;
    while let Some(next) = step(node) {
        count += 1;
        node = next;
    }
    count
}

/// The depth of the deep-input tests.
const DEEP: usize = 100_000;

#[test]
fn a_flat_sum_of_100000_terms_parses_on_a_small_stack() {
    on_small_stack(|| {
        let src = vec!["x"; DEEP].join("+");
        let arena = Bump::new();
        let root = parse(&src, &arena).expect("parses");
        let additions = spine_length(root, |e| match e.kind {
            ExprKind::Binary {
                op: BinaryOp::Add,
                lhs,
                ..
            } => Some(lhs),
            _ => None,
        });
        assert_eq!(additions, DEEP - 1);
        // The iterative printer copes too.
        let printed = sexpr(root);
        let expected = format!("{}x x){}", "(add ".repeat(DEEP - 1), " x)".repeat(DEEP - 2));
        assert!(printed == expected, "unexpected print of the flat sum");
    });
}

#[test]
fn deep_unary_and_power_chains_parse_on_a_small_stack() {
    on_small_stack(|| {
        let arena = Bump::new();
        let minuses = format!("{}x", "- ".repeat(DEEP));
        let root = parse(&minuses, &arena).expect("parses");
        let negations = spine_length(root, |e| match e.kind {
            ExprKind::Unary {
                op: UnaryOp::Neg,
                arg,
                ..
            } => Some(arg),
            _ => None,
        });
        assert_eq!(negations, DEEP);

        let powers = vec!["x"; DEEP].join("**");
        let root = parse(&powers, &arena).expect("parses");
        let right_nested = spine_length(root, |e| match e.kind {
            ExprKind::Binary {
                op: BinaryOp::Pow,
                rhs,
                ..
            } => Some(rhs),
            _ => None,
        });
        assert_eq!(right_nested, DEEP - 1);

        let nots = format!("{}x", "not ".repeat(DEEP));
        assert!(parse(&nots, &arena).is_ok());
        let conditionals = format!("{}x", "x if c else ".repeat(DEEP / 4));
        assert!(parse(&conditionals, &arena).is_ok());
        let chain = vec!["x"; DEEP].join("<");
        let root = parse(&chain, &arena).expect("parses");
        assert!(matches!(root.kind, ExprKind::Compare { rest, .. } if rest.len() == DEEP - 1));
    });
}

#[test]
fn many_arguments_are_read_in_linear_time() {
    let keywords: Vec<String> = (0..DEEP).map(|k| format!("k{k}=x")).collect();
    let call = format!("f(x, {})", keywords.join(", "));
    with_root(&call, |root| match root.kind {
        ExprKind::Call { args, kwargs, .. } => {
            assert_eq!((args.len(), kwargs.len()), (1, DEEP));
            assert_eq!(kwargs[DEEP - 1].name, format!("k{}", DEEP - 1));
        }
        _ => panic!("not a call"),
    });
    let repeated = format!("f({}, k0=1)", keywords.join(", "));
    let (kind, span, message) = error(&repeated);
    assert_eq!(
        (kind, message.as_str()),
        (ErrorKind::Syntax, "keyword argument `k0` repeated")
    );
    assert_eq!(span, Span::new(repeated.len() - 5, repeated.len() - 3));
}

#[test]
fn deep_brackets_are_a_clean_limit_error_on_a_small_stack() {
    on_small_stack(|| {
        let arena = Bump::new();
        for src in [
            format!("{}x", "(".repeat(DEEP)),
            nested(DEEP),
            format!("{}x", "f(".repeat(DEEP)),
        ] {
            // No `Debug` of a tree here: printing a deep tree would recurse.
            let Err(e) = parse(&src, &arena) else {
                panic!("deep brackets were accepted");
            };
            assert_eq!(e.kind(), ErrorKind::Limit);
            assert_eq!(e.message(), "nesting deeper than 256 brackets");
        }
        assert!(parse(&nested(MAX_NESTING), &arena).is_ok());
        let Err(e) = parse(&nested(MAX_NESTING + 1), &arena) else {
            panic!("nesting beyond the limit was accepted");
        };
        assert_eq!(e.span(), Some(Span::new(MAX_NESTING, MAX_NESTING + 1)));
    });
}

/// A tiny deterministic generator (xorshift64).
struct XorShift(u64);

impl XorShift {
    /// The next pseudo-random word.
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A pseudo-random number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces that near-valid random inputs are made of.
const ALPHABET: &[&str] = &[
    "x", "y", "sum", "axis", "real", "imag", "1", "0", "9", "0x1F", "0b", "1.5", "2j", "1e", "_",
    "e", "j", ".", "'a'", "b'\\x41'", "'", "\"", "\\", "\\x", "(", ")", "(", ")", ",", "=", "+",
    "-", "*", "**", "/", "//", "%", "~", "&", "|", "^", "<<", ">>", "<", "<=", "==", "!=", ">",
    ">=", "if", "else", "and", "or", "not", "True", "None", "in", "lambda", " ", " ", "#", "\n",
    "é", "€", "$", "[", ":", ";", "@",
];

/// Every span in the tree lies in `0..=len` on char boundaries (walked iteratively).
fn check_tree_spans(src: &str, root: &Expr<'_>) {
    let ok = |span: Span| {
        span.start <= span.end
            && span.end <= src.len()
            && src.is_char_boundary(span.start)
            && src.is_char_boundary(span.end)
    };
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        assert!(ok(e.span), "{src:?}: node span {:?}", e.span);
        match e.kind {
            ExprKind::Unary { op_span, arg, .. } => {
                assert!(ok(op_span));
                stack.push(arg);
            }
            ExprKind::Binary {
                op_span, lhs, rhs, ..
            } => {
                assert!(ok(op_span));
                stack.extend([lhs, rhs]);
            }
            ExprKind::Compare { first, rest } => {
                stack.push(first);
                for (_, span, rhs) in rest {
                    assert!(ok(*span));
                    stack.push(rhs);
                }
            }
            ExprKind::IfElse {
                then,
                cond,
                otherwise,
            } => stack.extend([then, cond, otherwise]),
            ExprKind::Call {
                name_span,
                args,
                kwargs,
                ..
            } => {
                assert!(ok(name_span));
                stack.extend(args.iter().copied());
                for kw in kwargs {
                    assert!(ok(kw.name_span));
                    stack.push(kw.value);
                }
            }
            ExprKind::Attr { attr_span, arg, .. } => {
                assert!(ok(attr_span));
                stack.push(arg);
            }
            _ => {}
        }
    }
}

#[test]
fn no_input_makes_the_parser_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for round in 0..4000 {
        let src: String = if round % 4 == 0 {
            // Arbitrary bytes, made into text the way a caller would.
            let bytes: Vec<u8> = (0..rng.below(24)).map(|_| rng.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            (0..rng.below(16))
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect()
        };
        let arena = Bump::new();
        match parse(&src, &arena) {
            Ok(root) => {
                parsed += 1;
                check_tree_spans(&src, root);
            }
            Err(e) => {
                assert!(
                    matches!(e.kind(), ErrorKind::Syntax | ErrorKind::Limit),
                    "{src:?}"
                );
                let span = e.span().expect("parse errors are located");
                assert!(
                    span.start <= span.end && span.end <= src.len(),
                    "{src:?}: {span:?}"
                );
                assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end));
                assert!(!e.message().is_empty());
            }
        }
    }
    // The inputs are near-valid often enough to exercise the success path as well.
    assert!(parsed > 100, "only {parsed} inputs parsed");
}

#[test]
fn operators_display_as_written_and_parse_back() {
    use BinaryOp::*;
    for op in [
        Or, And, BitOr, BitXor, BitAnd, Shl, Shr, Add, Sub, Mul, Div, FloorDiv, Mod, Pow,
    ] {
        with_root(&format!("a {op} b"), |root| {
            assert!(
                matches!(root.kind, ExprKind::Binary { op: parsed, .. } if parsed == op),
                "{op}"
            );
        });
    }
    use CompareOp::*;
    for op in [Lt, Le, Gt, Ge, Eq, Ne] {
        with_root(&format!("a {op} b"), |root| {
            assert!(
                matches!(root.kind, ExprKind::Compare { rest: [(parsed, ..)], .. } if *parsed == op),
                "{op}"
            );
        });
    }
    for op in [UnaryOp::Neg, UnaryOp::Pos, UnaryOp::Invert, UnaryOp::Not] {
        with_root(&format!("{op} b"), |root| {
            assert!(
                matches!(root.kind, ExprKind::Unary { op: parsed, .. } if parsed == op),
                "{op}"
            );
        });
    }
    for attr in [Attr::Real, Attr::Imag] {
        with_root(&format!("x.{attr}"), |root| {
            assert!(
                matches!(root.kind, ExprKind::Attr { attr: parsed, .. } if parsed == attr),
                "{attr}"
            );
        });
    }
    assert_eq!(format!("{} {}", BinaryOp::Pow, UnaryOp::Not), "** not");
}

/// Forms numexpr refuses as Python syntax that vexpr accepts (they are in the language).
const ACCEPTED_EXTENSIONS: [&str; 6] = [
    "x and y",
    "x or y",
    "not x",
    "x if y else x",
    "x if x > 0 else y",
    // A call of an unknown function: the typing stage refuses it.
    "__import__('os')",
];

#[test]
fn the_conformance_corpus_parses_except_its_syntax_errors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/conformance/golden/cases.jsonl"
    );
    let corpus = std::fs::read_to_string(path).expect("the corpus index is readable");
    let (mut parsed, mut refused) = (0, 0);
    for line in corpus.lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let src = case["expr"].as_str().expect("an expression");
        let refused_syntax = case["error"] == "SyntaxError"
            || case["category"] == "error"
                && matches!(
                    case["note"].as_str(),
                    Some("syntax error" | "Python syntax that numexpr refuses")
                );
        let is_syntax = refused_syntax && !ACCEPTED_EXTENSIONS.contains(&src);
        let arena = Bump::new();
        match parse(src, &arena) {
            Ok(_) if !is_syntax => parsed += 1,
            Err(e) if is_syntax => {
                assert_eq!(e.kind(), ErrorKind::Syntax, "{src:?}");
                refused += 1;
            }
            Ok(root) => panic!(
                "{src:?} should be a syntax error, parsed as {}",
                sexpr(root)
            ),
            Err(e) => panic!("{src:?} should parse: {} at {:?}", e.message(), e.span()),
        }
    }
    // 2,273 cases: 26 syntax errors in the `error` category, 4 malformed literals, and
    // 18 forms numexpr refuses as Python syntax, 6 of which vexpr accepts.
    assert_eq!((parsed, refused), (2273 - 42, 42));
}
