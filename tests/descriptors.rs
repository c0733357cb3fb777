//! Start-up raises the soft descriptor limit to the hard one: at the usual soft limit of 1,024
//! a thousand idle sockets locked everyone out. (Its own test binary: it changes a limit of
//! the whole process.)

mod common;
use common::*;
use kefu::client::Client;

#[cfg(target_os = "linux")]
#[tokio::test]
async fn start_up_raises_the_soft_descriptor_limit() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let before = getrlimit(Resource::Nofile);
    let low = before.maximum.map(|m| m.min(256));
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: low,
            maximum: before.maximum,
        },
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), Default::default()).await;
    // The server is up once it answers.
    let _c = Client::connect(&server.url("customer")).await.unwrap();
    let after = getrlimit(Resource::Nofile);
    assert_eq!(after.current, before.maximum);
    server.stop().await;
}
