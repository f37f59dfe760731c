fn main() -> Result<(), vexpr::Error> {
    let a = ndarray::Array1::<f64>::linspace(0.0, 1.0, 1_000_000);
    let b = a.mapv(f64::sqrt);
    let vars = vexpr::Vars::new().with("a", &a).with("b", &b); // any ndarray view, slice or scalar
    let out = vexpr::evaluate("a**2 + b**2 + 2*a*b", &vars)?; // a dynamically typed `vexpr::Array`
    let out: ndarray::ArrayD<f64> = out.into_f64()?;
    println!("{}", out[[999_999]]); // about 4 (ndarray's linspace ends just below 1.0)

    let prog = vexpr::compile("a*b + 1", &vars.signature())?; // compile once ...
    let out = prog.run(&vars)?; // ... run many times, from any thread
    println!("{out}"); // printed as NumPy prints it
    let mut buf = vec![0.0; 1_000_000];
    prog.run_into(&vars, (&mut buf).into())?; // into your own buffer, no allocation
    println!("{prog}"); // the optimised bytecode
    Ok(())
}
