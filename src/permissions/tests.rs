//! The rule's corners, one actor of each column.

use super::*;

fn actor(role: Role, supervises: &[&str]) -> Actor {
    Actor {
        id: 1,
        role,
        supervises: supervises.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn each_column_gets_what_its_cell_says() {
    let agent = actor(Role::Agent, &[]);
    let vip_sup = actor(Role::Supervisor, &["vip"]);
    let sup = actor(Role::Supervisor, &[]);
    let admin = actor(Role::Admin, &["ignored"]);
    let general = Resource::of(false, &["general"]);
    let vip = Resource::of(false, &["vip"]);
    let a = Action::ActOnSession;
    assert!(may(&agent, a, Resource::OWN).is_ok());
    assert!(may(&agent, a, general).is_err());
    assert!(may(&agent, a, Resource::Any).is_ok(), "the gate defers");
    assert!(may(&vip_sup, a, vip).is_ok());
    assert!(may(&vip_sup, a, general).is_err());
    assert!(may(&vip_sup, a, Resource::EVERYONES).is_err());
    assert!(may(&sup, a, general).is_ok());
    assert!(may(&admin, a, general).is_ok());

    let t = Action::TakeOver;
    assert!(may(&agent, t, Resource::Any).is_err());
    assert!(may(&agent, t, Resource::OWN).is_err());
    assert!(may(&vip_sup, t, Resource::Any).is_ok());
    assert!(may(&vip_sup, t, vip).is_ok());
    assert!(may(&vip_sup, t, general).is_err());
    assert!(may(&sup, t, general).is_ok());

    let r = Action::ReadAudit;
    for who in [&agent, &vip_sup, &sup] {
        assert!(may(who, r, Resource::Any).is_err());
    }
    assert!(may(&admin, r, Resource::Any).is_ok());

    let o = Action::WithdrawProposal;
    for who in [&agent, &vip_sup, &sup, &admin] {
        assert!(may(who, o, Resource::OWN).is_ok());
        assert!(may(who, o, general).is_err());
    }
}

#[test]
fn refusals_say_who_may() {
    let e = may(&actor(Role::Agent, &[]), Action::Dashboard, Resource::Any).unwrap_err();
    assert!(e.message.contains("supervisors"), "{}", e.message);
    let e = may(
        &actor(Role::Supervisor, &[]),
        Action::ReadAudit,
        Resource::Any,
    )
    .unwrap_err();
    assert!(e.message.contains("only admins"), "{}", e.message);
    let e = may(
        &actor(Role::Supervisor, &["vip", "b2b"]),
        Action::TakeOver,
        Resource::of(false, &["general"]),
    )
    .unwrap_err();
    assert!(e.message.contains("vip, b2b"), "{}", e.message);
}

#[test]
fn every_request_has_one_row_and_every_route_one_entry() {
    let listed: Vec<&str> = REQUESTS.iter().map(|(w, _)| *w).collect();
    assert_eq!(listed, crate::protocol::Request::KINDS);
    let rendered = render_markdown();
    for w in crate::protocol::Request::KINDS {
        assert!(rendered.contains(&format!("`{w}`")), "{w}");
    }
    for (_, path, _) in HTTP {
        assert!(http_access(path).is_some());
    }
    assert!(http_access("/nowhere").is_none());
}
