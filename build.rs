//! Generates the LR parser from `grammar/expr.lalrpop` (table-driven: parsing never recurses).
fn main() {
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .emit_rerun_directives(true)
        .process()
        .expect("lalrpop failed to generate the parser");
}
