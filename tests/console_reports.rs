//! The console's Reports screen on plain data: alt-l asks for today's personal report with
//! the right range, scope, breakdown, trend and time zone; period and breakdown keys ask
//! again; an answer to an older request is dropped; the server's refusals are shown; and
//! snapshots of personal and team reports at 120×40 and 80×24 in English and Chinese, with
//! CJK labels and a hostile one that must stay inert.

mod console_fixture;

use console_fixture::*;
use kefu::console::app::{App, Effect, NetEvent, Overlay, ReportLoad, Tag};
use kefu::console::i18n::{Lang, text};
use kefu::console::keymap::{Context, Keymap};
use kefu::console::reply::{Reply, ReplyError};
use kefu::model::Role;
use kefu::protocol::request::ReportGet;
use kefu::protocol::{
    ApiError, ErrorCode, Metrics, ReportBy, ReportReply, ReportRow, ReportScope, Request,
    TrendPoint, TrendStep,
};
use std::collections::BTreeMap;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// 2026-11-23 00:00 in Shanghai (NOW is 18:00 there, a Monday).
const MIDNIGHT: i64 = NOW - 18 * HOUR;

fn app_as(role: Role, lang: Lang) -> App {
    let mut app = workbench();
    app.lang = lang;
    app.followup.tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    if let Some(me) = &mut app.me {
        me.role = role;
    }
    app
}

/// The `report.get` requests among `fx`, with their tags' numbers.
fn report_requests(fx: &[Effect]) -> Vec<(u64, ReportGet)> {
    fx.iter()
        .filter_map(|f| match f {
            Effect::Request {
                tag: Tag::Report(g),
                request: Request::ReportGet(r),
            } => Some((*g, r.clone())),
            _ => None,
        })
        .collect()
}

/// The one `report.get` among `fx`.
fn one_request(fx: &[Effect]) -> (u64, ReportGet) {
    let got = report_requests(fx);
    assert_eq!(got.len(), 1, "{fx:?}");
    got.into_iter().next().unwrap()
}

fn load(app: &App) -> ReportLoad {
    app.reports()
        .expect("the Reports screen is open")
        .load
        .clone()
}

fn answer(app: &mut App, generation: u64, reply: ReportReply) -> Vec<Effect> {
    app.on_net(NetEvent::Reply {
        tag: Tag::Report(generation),
        result: Ok(Reply::ReportGet(reply)),
    })
}

fn refuse(app: &mut App, generation: u64, code: ErrorCode, message: &str) -> Vec<Effect> {
    app.on_net(NetEvent::Reply {
        tag: Tag::Report(generation),
        result: Err(ReplyError::Api(ApiError::new(code, message))),
    })
}

fn metrics(handled: u64, first: Option<u64>, csat: Option<f64>) -> Metrics {
    Metrics {
        handled,
        first_response_avg_ms: first,
        first_response_median_ms: first.map(|f| f * 3 / 4),
        response_avg_ms: first.map(|f| f + 20_000),
        resolution_avg_ms: first.map(|f| f * 20),
        ended: handled + 2,
        resolved: handled * 9 / 10,
        resolution_rate: Some((handled * 9 / 10) as f64 / (handled + 2) as f64),
        surveyed: handled,
        rated: handled / 2,
        csat_avg: csat,
        csat_good_share: csat.map(|c| c / 5.0),
        csat_response_rate: Some(0.5),
        transfers_in: handled / 10,
        transfers_out: handled / 20,
        status_ms: BTreeMap::new(),
    }
}

/// A day of hourly buckets: quiet at night, busy mid-morning and after lunch.
fn hourly_trend() -> Vec<TrendPoint> {
    let shape = [
        0u64, 0, 0, 0, 0, 0, 0, 1, 4, 9, 12, 10, 6, 8, 11, 9, 7, 5, 3, 0, 0, 0, 0, 0,
    ];
    shape
        .iter()
        .enumerate()
        .map(|(h, n)| TrendPoint {
            at: MIDNIGHT + h as i64 * HOUR,
            arrivals: n + n / 3,
            handled: *n,
            first_response_avg_ms: (*n > 0).then_some(30_000 + *n * 1000),
            csat_avg: (*n > 2).then_some(4.5),
            waiting_avg: *n as f64 / 3.0,
            waiting_max: n / 2 + u64::from(*n > 0),
        })
        .collect()
}

fn totals() -> Metrics {
    let mut m = metrics(128, Some(45_000), Some(4.62));
    m.status_ms = BTreeMap::from([
        ("online".to_string(), 6 * HOUR as u64 + 600_000),
        ("busy".to_string(), HOUR as u64),
        ("away".to_string(), 1_200_000),
        ("offline".to_string(), 2 * HOUR as u64),
    ]);
    m
}

/// Names from the network, one of them hostile: a title-setting escape, a bell and a
/// right-to-left override.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}Eve\u{202e}gpj.exe\u{1b}[2J";

fn personal_reply() -> ReportReply {
    ReportReply {
        from: MIDNIGHT,
        to: MIDNIGHT + DAY,
        tz: "Asia/Shanghai".into(),
        scope: ReportScope::Me,
        totals: totals(),
        rows: vec![],
        trend: hourly_trend(),
    }
}

fn team_reply() -> ReportReply {
    let row = |key: &str, label: &str, m: Metrics| ReportRow {
        key: key.into(),
        label: label.into(),
        metrics: m,
    };
    let mut quiet = metrics(0, None, None);
    quiet.resolution_rate = None;
    quiet.csat_response_rate = None;
    ReportReply {
        scope: ReportScope::Team,
        rows: vec![
            row("alice", "Alice Wang", metrics(41, Some(38_000), Some(4.8))),
            row("wang", "王小明", metrics(35, Some(52_000), Some(4.4))),
            row(
                "ouyang",
                "欧阳娜娜娜娜（售后二组组长）",
                metrics(27, Some(65_000), Some(4.9)),
            ),
            row("eve", HOSTILE, metrics(15, Some(7_800_000), Some(3.1))),
            row("bob", "Bob", quiet),
        ],
        ..personal_reply()
    }
}

#[test]
fn alt_l_asks_for_todays_personal_report_in_the_local_zone() {
    let mut app = app_as(Role::Agent, Lang::En);
    let fx = press(&mut app, "alt-l");
    let (_, get) = one_request(&fx);
    assert_eq!(
        get,
        ReportGet {
            from: MIDNIGHT,
            to: MIDNIGHT + DAY,
            scope: ReportScope::Me,
            by: None,
            trend: Some(TrendStep::Hour),
            tz: Some("Asia/Shanghai".into()),
        }
    );
    assert!(matches!(load(&app), ReportLoad::Loading));
    assert_eq!(app.context(), Context::Reports);
    // From the composer too: alt-l is global.
    let mut app = app_as(Role::Agent, Lang::En);
    app.focus = kefu::console::app::Focus::Compose;
    assert_eq!(report_requests(&press(&mut app, "alt-l")).len(), 1);
    // And in the vim keymap.
    let mut app = app_as(Role::Agent, Lang::En);
    let vim = Keymap::builtin("vim").unwrap();
    assert_eq!(
        report_requests(&press_with(&mut app, &vim, "alt-l")).len(),
        1
    );
    let fx = press_with(&mut app, &vim, "h");
    assert_eq!(one_request(&fx).1.from, MIDNIGHT - DAY);
}

#[test]
fn periods_and_breakdowns_ask_again() {
    let mut app = app_as(Role::Supervisor, Lang::En);
    press(&mut app, "alt-l");
    // This week: NOW is a Monday, so it starts today.
    let (_, week) = one_request(&press(&mut app, "2"));
    assert_eq!((week.from, week.to), (MIDNIGHT, MIDNIGHT + 7 * DAY));
    assert_eq!(week.trend, Some(TrendStep::Day));
    // This month: 2026-11-01 to 2026-12-01, local midnights.
    let (_, month) = one_request(&press(&mut app, "3"));
    assert_eq!(month.from, MIDNIGHT - 22 * DAY);
    assert_eq!(month.to, MIDNIGHT + 8 * DAY);
    // The month before (31 days), and not past this month going forward.
    let (_, october) = one_request(&press(&mut app, "left"));
    assert_eq!(
        (october.from, october.to),
        (month.from - 31 * DAY, month.from)
    );
    assert_eq!(one_request(&press(&mut app, "right")).1, month);
    assert!(report_requests(&press(&mut app, "right")).is_empty());
    // Team, by agent; then by group, channel, tag, intent and round again.
    let (_, team) = one_request(&press(&mut app, "tab"));
    assert_eq!(
        (team.scope, team.by),
        (ReportScope::Team, Some(ReportBy::Agent))
    );
    assert_eq!((team.from, team.to), (month.from, month.to));
    let mut seen = Vec::new();
    for _ in 0..5 {
        seen.push(one_request(&press(&mut app, "b")).1.by.unwrap());
    }
    assert_eq!(
        seen,
        [
            ReportBy::Group,
            ReportBy::Channel,
            ReportBy::Tag,
            ReportBy::Intent,
            ReportBy::Agent
        ]
    );
    // Back to personal: no breakdown.
    let (_, me) = one_request(&press(&mut app, "tab"));
    assert_eq!((me.scope, me.by), (ReportScope::Me, None));
    // Refresh asks the same again.
    assert_eq!(one_request(&press(&mut app, "r")).1, me);
    assert_eq!(one_request(&press(&mut app, "1")).1.from, MIDNIGHT);
}

#[test]
fn a_custom_range_is_typed_and_checked() {
    let mut app = app_as(Role::Agent, Lang::En);
    press(&mut app, "alt-l");
    assert!(press(&mut app, "c").is_empty());
    // Typing: the keys are text now (`2` is not "this week").
    assert_eq!(app.context(), Context::Dialog);
    typed(&mut app, "2026-11-15..2026-11-01");
    assert!(report_requests(&press(&mut app, "enter")).is_empty());
    let r = app.reports().unwrap();
    assert!(r.typing.is_some() && r.typing_error.is_some(), "{r:?}");
    let s = screen(&render(&app, 80, 24, "dark"));
    assert!(s.contains(text(Lang::En).report_range_order), "{s}");
    press(&mut app, "ctrl-u");
    typed(&mut app, "2026-11-01..2026-11-15");
    let (_, get) = one_request(&press(&mut app, "enter"));
    assert_eq!(get.from, MIDNIGHT - 22 * DAY);
    // Both days included: up to the start of the 16th.
    assert_eq!(get.to, MIDNIGHT - 7 * DAY);
    assert_eq!(get.trend, Some(TrendStep::Day));
    assert_eq!(app.context(), Context::Reports);
    // The previous custom range is as long, just before it.
    let (_, prev) = one_request(&press(&mut app, "left"));
    assert_eq!((prev.from, prev.to), (get.from - 15 * DAY, get.from));
    // esc while typing gives up typing, not the screen.
    press(&mut app, "c");
    typed(&mut app, "2026");
    assert!(press(&mut app, "esc").is_empty());
    assert!(app.reports().is_some_and(|r| r.typing.is_none()));
}

#[test]
fn an_answer_to_an_older_request_is_dropped() {
    let mut app = app_as(Role::Agent, Lang::En);
    let (today, _) = one_request(&press(&mut app, "alt-l"));
    let (week, _) = one_request(&press(&mut app, "2"));
    answer(&mut app, today, personal_reply());
    assert!(
        matches!(load(&app), ReportLoad::Loading),
        "the old answer was taken"
    );
    refuse(&mut app, today, ErrorCode::Internal, "late");
    assert!(
        matches!(load(&app), ReportLoad::Loading),
        "the old error was taken"
    );
    answer(&mut app, week, personal_reply());
    assert!(matches!(load(&app), ReportLoad::Ready(_)));
    // Closed and opened again: the first screen's answers do not count for the new one.
    press(&mut app, "esc");
    assert!(app.overlay.is_none());
    let (again, _) = one_request(&press(&mut app, "alt-l"));
    assert_ne!(again, week);
    answer(&mut app, week, personal_reply());
    assert!(matches!(load(&app), ReportLoad::Loading));
    // And an answer after the screen closed changes nothing.
    press(&mut app, "esc");
    answer(&mut app, again, personal_reply());
    assert!(app.overlay.is_none());
}

#[test]
fn team_is_for_supervisors_and_a_refusal_is_shown_clean() {
    // An agent is not offered the team report: no request, a word why.
    let mut agent = app_as(Role::Agent, Lang::En);
    press(&mut agent, "alt-l");
    assert!(report_requests(&press(&mut agent, "tab")).is_empty());
    assert!(report_requests(&press(&mut agent, "b")).is_empty());
    assert_eq!(
        agent.notice.as_ref().map(|n| n.0.as_str()),
        Some(text(Lang::En).report_team_only)
    );
    // A supervisor's team request the server refuses (role changed meanwhile).
    let mut app = app_as(Role::Supervisor, Lang::En);
    press(&mut app, "alt-l");
    let (g, _) = one_request(&press(&mut app, "tab"));
    refuse(
        &mut app,
        g,
        ErrorCode::Forbidden,
        "team reports need the supervisor role\u{1b}[31m",
    );
    assert!(matches!(
        load(&app),
        ReportLoad::Failed {
            code: Some(ErrorCode::Forbidden),
            ..
        }
    ));
    let s = screen(&render(&app, 80, 24, "dark"));
    assert!(s.contains(text(Lang::En).report_forbidden), "{s}");
    assert!(s.contains("team reports need the supervisor role"), "{s}");
    assert!(!s.contains('\u{1b}'), "{s}");
    assert!(app.notice.is_none(), "shown on the screen, not as a notice");
    insta::assert_snapshot!("report_forbidden_80x24", s);
}

#[test]
fn unavailable_is_shown_clean_and_r_tries_again() {
    let mut app = app_as(Role::Agent, Lang::Zh);
    let (g, _) = one_request(&press(&mut app, "alt-l"));
    refuse(
        &mut app,
        g,
        ErrorCode::Unavailable,
        "reports are not built yet",
    );
    let s = screen(&render(&app, 80, 24, "dark"));
    assert!(s.contains(text(Lang::Zh).report_unavailable), "{s}");
    insta::assert_snapshot!("report_unavailable_zh_80x24", s);
    let (again, _) = one_request(&press(&mut app, "r"));
    assert_ne!(again, g);
    assert!(matches!(load(&app), ReportLoad::Loading));
}

#[test]
fn help_opens_over_the_screen_and_closes_back_to_it() {
    let mut app = app_as(Role::Agent, Lang::En);
    let (g, _) = one_request(&press(&mut app, "alt-l"));
    press(&mut app, "?");
    assert!(matches!(app.overlay, Some(Overlay::Help(_))));
    // An answer arriving meanwhile reaches the screen under the help.
    answer(&mut app, g, personal_reply());
    // The screen's own keys come first.
    let s = screen(&render(&app, 80, 24, "dark"));
    let first = s.lines().find(|l| l.contains(" [")).unwrap_or("");
    assert!(first.contains("Reports [reports]"), "{s}");
    typed(&mut app, "report_week");
    let s = screen(&render(&app, 120, 40, "dark"));
    assert!(
        s.contains("Reports [reports]"),
        "the help lists the screen's keys: {s}"
    );
    assert!(s.contains("2  ") && s.contains("(report_week)"), "{s}");
    press(&mut app, "esc");
    assert!(matches!(app.overlay, Some(Overlay::Reports(_))));
    assert!(matches!(load(&app), ReportLoad::Ready(_)));
    press(&mut app, "esc");
    assert!(app.overlay.is_none());
}

fn ready(role: Role, lang: Lang, team: bool) -> App {
    let mut app = app_as(role, lang);
    let (mut g, _) = one_request(&press(&mut app, "alt-l"));
    if team {
        g = one_request(&press(&mut app, "tab")).0;
    }
    answer(
        &mut app,
        g,
        if team { team_reply() } else { personal_reply() },
    );
    app
}

#[test]
fn snapshots_of_personal_and_team_reports() {
    for lang in [Lang::En, Lang::Zh] {
        let t = text(lang);
        let code = lang.code();
        for (w, h) in [(120u16, 40u16), (80, 24)] {
            let personal = screen(&render(&ready(Role::Agent, lang, false), w, h, "dark"));
            for want in [t.report_personal, t.report_handled, "128", "45s", "4.6"] {
                assert!(
                    personal.contains(want),
                    "{code} {w}x{h} lacks {want:?}:\n{personal}"
                );
            }
            insta::assert_snapshot!(format!("report_personal_{code}_{w}x{h}"), personal);
            let team = screen(&render(&ready(Role::Supervisor, lang, true), w, h, "dark"));
            for want in [t.report_team, "Alice Wang", "王小明", t.report_total] {
                assert!(
                    team.contains(want),
                    "{code} {w}x{h} lacks {want:?}:\n{team}"
                );
            }
            // Inert: no escape, bell or bidi control reaches the screen; the name is there.
            for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
                assert!(!team.contains(bad), "{code} {w}x{h}: {bad:?}\n{team}");
            }
            // The hostile name is shown, its controls as visible symbols.
            assert!(team.contains("␛]0;pwned␇"), "{team}");
            insta::assert_snapshot!(format!("report_team_{code}_{w}x{h}"), team);
        }
    }
}

#[test]
fn absent_averages_show_a_dash_never_zero() {
    let mut app = app_as(Role::Supervisor, Lang::En);
    press(&mut app, "alt-l");
    let (g, _) = one_request(&press(&mut app, "tab"));
    answer(&mut app, g, team_reply());
    let s = screen(&render(&app, 120, 40, "dark"));
    // Bob handled nothing: his averages and rates are absent.
    let bob = s
        .lines()
        .find(|l| l.contains("Bob ") && l.contains('—'))
        .unwrap_or("");
    assert!(bob.matches('—').count() >= 5, "{s}");
    assert!(!bob.contains("0s") && !bob.contains("0.0%"), "{bob}");
}

#[test]
fn every_theme_draws_the_reports_readably_and_without_colour_under_no_color() {
    use kefu::console::theme::contrast::{AA, AAA, effective, ratio};
    use kefu::console::theme::{ColorDepth, Theme};
    use ratatui::style::Color;
    let screens = [
        ready(Role::Agent, Lang::En, false),
        ready(Role::Supervisor, Lang::Zh, true),
    ];
    let mut failures = Vec::new();
    for name in Theme::builtin_names() {
        let theme = Theme::builtin(name).unwrap();
        let base = theme.style("base");
        let need = if name == "high-contrast" { AAA } else { AA };
        for app in &screens {
            for (w, h) in [(120, 40), (80, 24)] {
                let term = render_with(app, w, h, &theme, &keymap());
                for cell in term.backend().buffer().content() {
                    if cell.symbol().trim().is_empty() {
                        continue;
                    }
                    match effective(cell.style(), base) {
                        None => failures.push(format!("{name}: {:?} uncoloured", cell.symbol())),
                        Some((fg, bg)) if ratio(fg, bg) < need => failures.push(format!(
                            "{name}: {:?} at {:.2}:1",
                            cell.symbol(),
                            ratio(fg, bg)
                        )),
                        Some(_) => {}
                    }
                }
            }
        }
        let plain = theme.for_depth(ColorDepth::NoColor);
        for app in &screens {
            let term = render_with(app, 120, 40, &plain, &keymap());
            for cell in term.backend().buffer().content() {
                assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{name}");
            }
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_connection_is_said_in_the_consoles_language() {
    let mut app = app_as(Role::Agent, Lang::Zh);
    let (g, _) = one_request(&press(&mut app, "alt-l"));
    app.on_net(NetEvent::Reply {
        tag: Tag::Report(g),
        result: Err(ReplyError::NotConnected),
    });
    let s = screen(&render(&app, 80, 24, "dark"));
    assert!(s.contains(text(Lang::Zh).reply_not_connected), "{s}");
    assert!(s.contains(text(Lang::Zh).report_failed), "{s}");
}

#[test]
fn tag_rows_say_they_overlap() {
    let mut app = app_as(Role::Admin, Lang::En);
    press(&mut app, "alt-l");
    press(&mut app, "tab");
    press(&mut app, "b b");
    let (g, get) = one_request(&press(&mut app, "b"));
    assert_eq!(get.by, Some(ReportBy::Tag));
    answer(&mut app, g, team_reply());
    let s = screen(&render(&app, 120, 40, "dark"));
    assert!(
        s.contains("by tag") && s.contains(text(Lang::En).report_tag_note),
        "{s}"
    );
}
