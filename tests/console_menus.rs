//! The console and self-service menus (`docs/menus.md`): the menus of the directory appear in
//! the f4 Transfer dialog after agents and groups, picking one sends `{"menu": "name/node"}`,
//! and the profile panel shows the path a customer took in a menu (snapshots at 120×40 and
//! 80×24).

mod console_fixture;

use console_fixture::*;
use kefu::console::action::Action;
use kefu::console::app::{App, Effect, NetEvent, Tag};
use kefu::console::reply::Reply;
use kefu::model::{SessionState, Strategy};
use kefu::protocol::{
    DirectoryReply, Event, MenuEntry, MenuInfo, MenuNodeEntry, MenuReturn, MenuReturnReason,
    MenuStep, QueueInfo, Request, TransferTarget,
};

fn with_menus() -> App {
    let mut app = workbench();
    app.update(Action::Transfer);
    let node = |id: &str, label: &str| MenuNodeEntry {
        id: id.into(),
        label: label.into(),
    };
    app.on_net(NetEvent::Reply {
        tag: Tag::Directory,
        result: Ok(Reply::Directory(DirectoryReply {
            agents: vec![],
            groups: vec![QueueInfo {
                group: "aftersales".into(),
                strategy: Strategy::LeastBusy,
                waiting: 2,
                require_tags: false,
            }],
            menus: vec![MenuEntry {
                name: "shop".into(),
                title: "自助服务 Self-service".into(),
                nodes: vec![
                    node("main", "main"),
                    node("order", "订单查询 Order status"),
                    node("returns", "退换货 Returns"),
                ],
            }],
        })),
    });
    app
}

#[test]
fn the_transfer_dialog_lists_menus_and_sends_a_menu_target() {
    let mut app = with_menus();
    typed(&mut app, "shop/order");
    let fx = app.update(Action::Confirm);
    let Some(Effect::Request {
        request: Request::Transfer(t),
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(t.to, TransferTarget::Menu("shop/order".into()));

    let mut app = with_menus();
    typed(&mut app, "自助服务");
    let fx = app.update(Action::Confirm);
    let Some(Effect::Request {
        request: Request::Transfer(t),
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(t.to, TransferTarget::Menu("shop".into()));
}

#[test]
fn transfer_dialog_with_menus_snapshots() {
    let app = with_menus();
    let s = screen(&render(&app, 120, 40, "dark"));
    assert!(s.contains("≡ shop · 自助服务"), "{s}");
    assert!(s.contains("≡ shop/order · 订单查询"), "{s}");
    // After the groups.
    assert!(s.find("#aftersales") < s.find("≡ shop"), "{s}");
    insta::assert_snapshot!("menu_transfer_120x40", s);
    let s = screen(&render(&app, 80, 24, "dark"));
    assert!(s.contains("≡ shop"), "{s}");
    insta::assert_snapshot!("menu_transfer_80x24", s);
}

#[test]
fn the_profile_panel_shows_the_path_taken_in_a_menu() {
    let mut app = workbench();
    let mut view = session(1, customer(11, "小明", false, &[]), SessionState::Active);
    let step = |label: &str, input: Option<&str>| MenuStep {
        node: "n".into(),
        label: label.into(),
        input: input.map(Into::into),
        answered: None,
    };
    view.menu = Some(MenuInfo {
        menu: "shop".into(),
        node: "main".into(),
        path: vec![
            step("自助服务", None),
            step("订单查询", Some("查快递")),
            step("人工 / agent", Some("0\u{1b}[2J")),
        ],
        invalid: 0,
        lookups: 1,
        by: Some("Ann".into()),
        since: NOW - 120_000,
        returned: Some(MenuReturn {
            reason: MenuReturnReason::Requested,
            group: "aftersales".into(),
            at: NOW - 60_000,
        }),
    });
    app.on_net(ev(Event::Session { session: view }));
    let s = screen(&render(&app, 120, 40, "dark"));
    assert!(s.contains("Menu: back from `shop`"), "{s}");
    assert!(s.contains("customer asked for a person"), "{s}");
    assert!(s.contains("Path: 自助服务 › 订单查询"), "{s}");
    assert!(s.contains("(查快递) › 人工 / agent"), "{s}");
    assert!(s.contains("(0␛[2J)"), "the escape is made inert: {s}");
    insta::assert_snapshot!("menu_profile_120x40", s);
    let s = screen(&render(&app, 80, 24, "dark"));
    insta::assert_snapshot!("menu_profile_80x24", s);
}
