"""numexpr's evaluation API: name lookup, caching, re_evaluate, validate, NumExpr, errors."""

import pickle
import threading

import numpy as np
import pytest
from numpy.testing import assert_array_equal, assert_allclose

import vexpr
from vexpr import E, NumExpr

GLOBAL_G = np.arange(3.0)


def test_names_come_from_locals_then_globals():
    a = np.arange(3.0)
    assert_array_equal(vexpr.evaluate("a + GLOBAL_G"), a + GLOBAL_G)


def test_a_local_shadows_a_global():
    GLOBAL_G = np.ones(3)  # noqa: N806, F841
    assert_array_equal(vexpr.evaluate("GLOBAL_G * 2"), [2.0, 2.0, 2.0])


def test_explicit_dicts_replace_the_frame():
    a = np.arange(3.0)  # noqa: F841 - must not be seen
    out = vexpr.evaluate("a * k", local_dict={"a": np.ones(3)}, global_dict={"k": 5})
    assert_array_equal(out, [5.0, 5.0, 5.0])
    with pytest.raises(KeyError):
        vexpr.evaluate("a * q", local_dict={"a": 1.0}, global_dict={})


def test_missing_variable_is_a_key_error():
    with pytest.raises(KeyError, match="nowhere"):
        vexpr.evaluate("nowhere + 1")


def test_the_frame_depth_argument_is_numexprs():
    def helper(ex):
        # numexpr's convention: 3 is the caller of evaluate, 4 its caller.
        return vexpr.evaluate(ex, _frame_depth=4)

    only_here = np.arange(2.0)  # noqa: F841
    assert_array_equal(helper("only_here + 1"), [1.0, 2.0])


def test_cached_programs_are_keyed_by_dtypes():
    for dtype in (np.int32, np.int64, np.float32, np.float64, np.complex128):
        a = np.arange(4, dtype=dtype)
        r = vexpr.evaluate("a * a + a")
        assert r.dtype == dtype
        assert_array_equal(r, a * a + a)


def test_re_evaluate_uses_current_values_and_is_per_thread():
    a = np.arange(3.0)
    vexpr.evaluate("a + 1")
    a = np.arange(3.0) * 10
    assert_array_equal(vexpr.re_evaluate(), [1.0, 11.0, 21.0])
    seen = {}

    def other():
        b = np.ones(2)  # noqa: F841
        vexpr.evaluate("b * 7")
        seen["other"] = vexpr.re_evaluate()

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert_array_equal(seen["other"], [7.0, 7.0])
    # This thread's last expression is still `a + 1`.
    assert_array_equal(vexpr.re_evaluate(), [1.0, 11.0, 21.0])


def test_re_evaluate_before_anything_is_an_error():
    def fresh():
        with pytest.raises(RuntimeError, match="previous evaluate"):
            vexpr.re_evaluate()

    t = threading.Thread(target=fresh)
    t.start()
    t.join()


def test_validate_returns_the_error_instead_of_raising():
    a = np.arange(3.0)  # noqa: F841
    assert vexpr.validate("a * 2") is None
    assert_array_equal(vexpr.re_evaluate(), [0.0, 2.0, 4.0])
    assert isinstance(vexpr.validate("a * missing"), KeyError)
    assert isinstance(vexpr.validate("a +"), SyntaxError)


def test_options_are_checked():
    a = np.arange(3.0)  # noqa: F841
    for bad in ({"order": "X"}, {"casting": "sometimes"}, {"optimization": "max"},
                {"nonsense": 1}):
        with pytest.raises(ValueError):
            vexpr.evaluate("a", **bad)
    # numexpr's options that vexpr accepts and ignores.
    for ok in ({"optimization": "none"}, {"truediv": True}, {"sanitize": False},
               {"disable_cache": True}):
        assert_array_equal(vexpr.evaluate("a / 2", **ok), a / 2)


def test_order_f_gives_a_fortran_result():
    m = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    r = vexpr.evaluate("m + 1", order="F")
    assert r.flags.f_contiguous
    assert_array_equal(r, m + 1)


def test_errors_have_numexprs_types_and_point_at_the_culprit():
    a = np.arange(3.0)  # noqa: F841
    s = np.array([b"x"])  # noqa: F841
    i = np.arange(3)  # noqa: F841
    with pytest.raises(SyntaxError) as e:
        vexpr.evaluate("a + * 2")
    assert e.value.span == (4, 5) and e.value.offset == 5
    assert str(e.value).endswith("a + * 2\n      ^")
    with pytest.raises(ValueError):  # numexpr's sanitizer raises ValueError too
        vexpr.evaluate("a[0]")
    with pytest.raises(TypeError):
        vexpr.evaluate("nosuchfunction(a)")
    with pytest.raises(TypeError):
        vexpr.evaluate("sin(a, a)")
    with pytest.raises(NotImplementedError):
        vexpr.evaluate("s + s")
    with pytest.raises(ValueError, match="negative integer powers"):
        vexpr.evaluate("i ** -1")
    with pytest.raises(ZeroDivisionError):
        vexpr.evaluate("1 / 0")
    with pytest.raises(ValueError, match="broadcast|shape"):
        vexpr.evaluate("a + b", local_dict={"a": np.ones(3), "b": np.ones(4)})
    with pytest.raises(ValueError, match="axis"):
        vexpr.evaluate("sum(a, axis=1)")
    with pytest.raises(vexpr.VexprError):
        vexpr.evaluate("s < 1")


def test_numexpr_object_signature_order_and_casting():
    f = NumExpr("2*a + 3*b", [("b", np.int32), ("a", np.double)])
    assert f.input_names == ("b", "a")
    assert f.signature == "id"
    # Arguments in signature order; int64 -> float64 is safe, int64 -> int32 is not.
    assert_array_equal(f(np.int32(1), np.arange(3)), 2 * np.arange(3) + 3)
    with pytest.raises(TypeError, match="cannot cast"):
        f(np.arange(3), np.arange(3.0))
    assert_array_equal(f.run(np.arange(3), np.arange(3.0), casting="unsafe"),
                       2 * np.arange(3.0) + 3 * np.arange(3))
    # Without a signature: float64 variables in sorted order, as numexpr.
    g = NumExpr("z - y")
    assert g.input_names == ("y", "z")
    assert_array_equal(g(1, 5), 4.0)
    with pytest.raises(ValueError, match="don't match"):
        NumExpr("a + b", [("a", np.double)])
    # numexpr's float is float32.
    assert NumExpr("x", [("x", float)])(np.ones(2, np.float32)).dtype == np.float32


def test_numexpr_objects_pickle_and_disassemble():
    f = NumExpr("where(m, a, -a)", [("m", bool), ("a", np.double)])
    g = pickle.loads(pickle.dumps(f))
    m = np.array([True, False])
    a = np.array([1.5, 2.5])
    assert_array_equal(g(m, a), f(m, a))
    assert_array_equal(g(m, a), [1.5, -2.5])
    listing = vexpr.disassemble(g)
    assert "where" in listing and listing == str(g)


def test_expression_builder_e():
    ex = 2.0 * E.a + 3.0 * E.b * E.c
    assert str(ex) == "((2.0 * a) + ((3.0 * b) * c))"
    f = NumExpr(ex, [("a", np.double), ("b", np.double), ("c", np.double)])
    assert_array_equal(f(np.array([1.0, 2]), np.array([4.0, 5]), np.array([7.0, 8])),
                       [86.0, 124.0])
    assert_array_equal(NumExpr(-E.x ** 2)(np.array([3.0])), [-9.0])


def test_threads_and_vml_functions(threads):
    assert vexpr.set_num_threads(2) >= 1
    assert vexpr.get_num_threads() == 2
    for bad in (0, vexpr.MAX_THREADS + 1):
        with pytest.raises(ValueError):
            vexpr.set_num_threads(bad)
    assert vexpr.get_num_threads() == 2
    assert vexpr.ncores == vexpr.detect_number_of_cores() >= 1
    assert vexpr.use_vml is False and vexpr.get_vml_version() is None
    assert vexpr.set_vml_num_threads(3) is None and vexpr.get_vml_num_threads() is None
    assert vexpr.__version__ and vexpr.active_isa() in ("baseline", "avx2", "avx512")


def test_vml_accuracy_mode_is_validated_and_returns_the_previous():
    first = vexpr.set_vml_accuracy_mode("low")
    try:
        assert first in ("high", "low", "fast")
        assert vexpr.set_vml_accuracy_mode("fast") == "low"
        assert vexpr.set_vml_accuracy_mode(None) == "fast"  # None leaves it
        with pytest.raises(ValueError):
            vexpr.set_vml_accuracy_mode("ultra")
        assert vexpr.set_vml_accuracy_mode("high") == "fast"
    finally:
        vexpr.set_vml_accuracy_mode(first)


def test_vml_accuracy_mode_switches_the_precision():
    import numpy as np

    from vexpr import _vexpr

    x = np.linspace(-20.0, 20.0, 4096)
    first = vexpr.set_vml_accuracy_mode("high")
    try:
        assert _vexpr.get_precision() == "high"
        high = vexpr.evaluate("sin(x) * exp(x / 10)")
        vexpr.set_vml_accuracy_mode("low")
        assert _vexpr.get_precision() == "fast"
        fast = vexpr.evaluate("sin(x) * exp(x / 10)")
        # Fast is VML's low-accuracy class: within a few ulp, but not the same bits.
        np.testing.assert_allclose(fast, high, rtol=12 * np.finfo(float).eps, atol=1e-300)
        assert (fast != high).any()
    finally:
        vexpr.set_vml_accuracy_mode(first)


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"OMP_NUM_THREADS": "3"}, 3),
        ({"OMP_NUM_THREADS": "3", "NUMEXPR_NUM_THREADS": "2"}, 2),
        ({"OMP_NUM_THREADS": "3", "NUMEXPR_NUM_THREADS": "2", "VEXPR_NUM_THREADS": "1"}, 1),
    ],
)
def test_thread_environment_variables(env, expected):
    from conftest import run_script

    clean = {k: "" for k in ("OMP_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VEXPR_NUM_THREADS")}
    clean.update(env)
    run_script(f"""
        import vexpr
        assert vexpr.nthreads == vexpr.get_num_threads() == {expected}, vexpr.get_num_threads()
    """, env=clean)


def test_max_threads_from_the_environment():
    from conftest import run_script

    run_script("""
        import vexpr
        assert vexpr.MAX_THREADS == 4
        try:
            vexpr.set_num_threads(5)
        except ValueError:
            pass
        else:
            raise SystemExit("5 threads accepted")
    """, env={"NUMEXPR_MAX_THREADS": "4"})




def test_a_class_body_namespace_is_not_cleared():
    class Holder:
        x = np.arange(3.0)
        y = vexpr.evaluate("x * 2")
        z = 1

    assert_array_equal(Holder.y, [0.0, 2.0, 4.0])
    assert Holder.z == 1 and hasattr(Holder, "x")


def test_module_level_code_keeps_its_globals():
    from conftest import run_script

    run_script("""
        import numpy as np, vexpr
        a = np.arange(3.0)
        r = vexpr.evaluate("a + 1")
        assert list(r) == [1.0, 2.0, 3.0] and "a" in globals()
        exec("b = vexpr.evaluate('a * 3')", globals())
        assert list(b) == [0.0, 3.0, 6.0] and "a" in globals()
    """)


def test_the_extensions_compiled_programs_pickle_as_text_and_signature():
    compiled = vexpr._vexpr.Compiled("sum(x * k, axis=0)", [("x", "float64"), ("k", "int32")])
    back = pickle.loads(pickle.dumps(compiled))
    assert back.source == compiled.source and back.signature == compiled.signature
    assert back.inputs == [("x", "float64"), ("k", "int32")] and back.dtype == "float64"
    x = np.arange(6.0).reshape(3, 2)
    assert_array_equal(back.run((x, np.asarray(2, dtype=np.int32))), [12.0, 18.0])
    assert str(back) == str(compiled)
