use clap::Parser;

fn main() -> anyhow::Result<()> {
    kefu::cli::run(kefu::cli::Cli::parse())
}
