//! The `vexpr` command. For now: `vexpr EXPR` evaluates a constant expression and prints it.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let expr = args.join(" ");
    match vexpr::evaluate(&expr, &vexpr::Vars::new()) {
        Ok(out) => println!("{out:?}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
