use clap::Parser;

fn main() {
    // One clear line for people (the alternative, anyhow's Debug, dumps a backtrace whenever
    // RUST_BACKTRACE is set).
    if let Err(e) = kefu::cli::run(kefu::cli::Cli::parse()) {
        eprintln!("kefu: {e:#}");
        std::process::exit(1);
    }
}
