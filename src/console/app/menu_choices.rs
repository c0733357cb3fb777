//! The self-service menus in the f4 Transfer dialog (`docs/menus.md`): after the agents and
//! groups, each menu (its start) and each node one can send a customer to, marked `≡`.

use super::state::TransferChoice;
use crate::protocol::MenuEntry;

pub fn menu_choices(menus: &[MenuEntry]) -> Vec<TransferChoice> {
    let mut out = Vec::new();
    for m in menus {
        for (i, n) in m.nodes.iter().enumerate() {
            let (target, label) = if i == 0 {
                (m.name.clone(), format!("≡ {} · {}", m.name, m.title))
            } else {
                (
                    format!("{}/{}", m.name, n.id),
                    format!("≡ {}/{} · {}", m.name, n.id, n.label),
                )
            };
            out.push(TransferChoice::Menu { target, label });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::MenuNodeEntry;

    #[test]
    fn each_menu_then_its_nodes() {
        let menus = [MenuEntry {
            name: "shop".into(),
            title: "自助服务".into(),
            nodes: vec![
                MenuNodeEntry {
                    id: "main".into(),
                    label: "main".into(),
                },
                MenuNodeEntry {
                    id: "order".into(),
                    label: "订单查询".into(),
                },
            ],
        }];
        let c = menu_choices(&menus);
        assert_eq!(
            c,
            [
                TransferChoice::Menu {
                    target: "shop".into(),
                    label: "≡ shop · 自助服务".into()
                },
                TransferChoice::Menu {
                    target: "shop/order".into(),
                    label: "≡ shop/order · 订单查询".into()
                }
            ]
        );
    }
}
