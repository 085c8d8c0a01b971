fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let code = runtime.block_on(bs_promote::run(
        std::env::args_os(),
        bs_promote::Io::process(),
    ));
    std::process::exit(code);
}
