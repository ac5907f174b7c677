//! Golden JSON for every frame: the wire format is a contract with deployed widgets, so any
//! change to it must show up here.
#![allow(clippy::unwrap_used)] // a test helper: a panic is the failure report

use serde_json::{json, Value};
use tandem_shared::model::*;
use tandem_shared::*;

fn assert_golden<T>(value: T, expected: Value)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let encoded = serde_json::to_value(&value).unwrap();
    assert_eq!(encoded, expected, "encoding changed");
    let decoded: T = serde_json::from_value(expected).unwrap();
    assert_eq!(decoded, value, "decoding changed");
}

fn conv() -> ConversationId {
    ConversationId::from("c1")
}

#[test]
fn visitor_frames() {
    assert_golden(
        VisitorMsg::Hello {
            protocol: 1,
            resume: Some("tok".into()),
            last_seq: 4,
            tickets: vec!["tt".into()],
        },
        json!({"type": "hello", "protocol": 1, "resume": "tok", "last_seq": 4, "tickets": ["tt"]}),
    );
    assert_golden(
        VisitorMsg::StartChat {
            request: ChatRequest {
                name: "Ana".into(),
                email: Some("ana@example.com".into()),
                reason: "Invoice".into(),
                ..Default::default()
            },
        },
        json!({"type": "start_chat", "request": {"name": "Ana", "email": "ana@example.com", "reason": "Invoice"}}),
    );
    assert_golden(
        VisitorMsg::Send {
            client_msg_id: "m1".into(),
            body: "Hi".into(),
        },
        json!({"type": "send", "client_msg_id": "m1", "body": "Hi"}),
    );
    assert_golden(
        VisitorMsg::Typing { active: true },
        json!({"type": "typing", "active": true}),
    );
    assert_golden(VisitorMsg::EndChat, json!({"type": "end_chat"}));
}

#[test]
fn share_code_frames() {
    assert_golden(
        VisitorMsg::RequestShareCode {
            request: ChatRequest {
                page_url: Some("https://site.test/apply".into()),
                locale: Some("fr".into()),
                ..Default::default()
            },
        },
        json!({"type": "request_share_code", "request": {"name": "", "reason": "",
            "page_url": "https://site.test/apply", "locale": "fr"}}),
    );
    assert_golden(
        VisitorMsg::CancelShareCode,
        json!({"type": "cancel_share_code"}),
    );
    assert_golden(
        ServerMsg::ShareCode {
            share_code: "042917".into(),
            expires_at_ms: 600_000,
        },
        json!({"type": "share_code", "share_code": "042917", "expires_at_ms": 600_000}),
    );
    assert_golden(
        AdviserMsg::JoinByCode {
            code: "042 917".into(),
        },
        json!({"type": "join_by_code", "code": "042 917"}),
    );
}

#[test]
fn supervision_frames() {
    assert_golden(
        AdviserMsg::Watch {
            conversation_id: conv(),
        },
        json!({"type": "watch", "conversation_id": "c1"}),
    );
    assert_golden(
        AdviserMsg::Unwatch {
            conversation_id: conv(),
        },
        json!({"type": "unwatch", "conversation_id": "c1"}),
    );
    assert_golden(
        AdviserMsg::Whisper {
            conversation_id: conv(),
            body: "Propose un avoir".into(),
        },
        json!({"type": "whisper", "conversation_id": "c1", "body": "Propose un avoir"}),
    );
    assert_golden(
        AdviserMsg::TakeOver {
            conversation_id: conv(),
        },
        json!({"type": "take_over", "conversation_id": "c1"}),
    );
    assert_golden(
        AdviserMsg::Reassign {
            conversation_id: conv(),
            target: tandem_shared::desk::TransferTarget::Level { level: 2 },
        },
        json!({"type": "reassign", "conversation_id": "c1", "target": {"to": "level", "level": 2}}),
    );
    assert_eq!(
        serde_json::to_value(tandem_shared::access::AdviserRole::Supervisor).ok(),
        Some(json!("supervisor"))
    );
}

#[test]
fn adviser_frames() {
    let presence = Presence {
        available: true,
        max_chats: 3,
    };
    assert_golden(
        AdviserMsg::Hello { protocol: 1 },
        json!({"type": "hello", "protocol": 1}),
    );
    assert_golden(
        AdviserMsg::SetPresence { presence },
        json!({"type": "set_presence", "presence": {"available": true, "max_chats": 3}}),
    );
    assert_golden(
        AdviserMsg::Take {
            conversation_id: conv(),
        },
        json!({"type": "take", "conversation_id": "c1"}),
    );
    assert_golden(
        AdviserMsg::Send {
            conversation_id: conv(),
            client_msg_id: "a1".into(),
            body: "Hello".into(),
        },
        json!({"type": "send", "conversation_id": "c1", "client_msg_id": "a1", "body": "Hello"}),
    );
    assert_golden(
        AdviserMsg::Typing {
            conversation_id: conv(),
            active: false,
        },
        json!({"type": "typing", "conversation_id": "c1", "active": false}),
    );
    assert_golden(
        AdviserMsg::Sync {
            conversation_id: conv(),
            after_seq: 2,
        },
        json!({"type": "sync", "conversation_id": "c1", "after_seq": 2}),
    );
    assert_golden(
        AdviserMsg::EndChat {
            conversation_id: conv(),
        },
        json!({"type": "end_chat", "conversation_id": "c1"}),
    );
    assert_golden(
        AdviserMsg::WrapUp {
            conversation_id: conv(),
            wrap_up: WrapUp {
                resolution: Resolution::FollowUp,
                answer: Some("Refund sent".into()),
                agreed_solution: None,
                actions_taken: None,
                follow_up_date: Some("2026-12-01".into()),
                compensation: None,
                prevention: None,
            },
        },
        json!({"type": "wrap_up", "conversation_id": "c1", "wrap_up": {
            "resolution": "follow_up", "answer": "Refund sent", "follow_up_date": "2026-12-01"}}),
    );
}

#[test]
fn visit_receipt_and_transcript_frames() {
    assert_golden(
        VisitorMsg::Seen { seq: 4 },
        json!({"type": "seen", "seq": 4}),
    );
    assert_golden(
        VisitorMsg::EmailTranscript { token: "t".into() },
        json!({"type": "email_transcript", "token": "t"}),
    );
    assert_golden(
        AdviserMsg::Seen {
            conversation_id: conv(),
            seq: 5,
        },
        json!({"type": "seen", "conversation_id": "c1", "seq": 5}),
    );
    assert_golden(
        ServerMsg::Seen {
            conversation_id: conv(),
            role: Role::Visitor,
            seq: 5,
        },
        json!({"type": "seen", "conversation_id": "c1", "role": "visitor", "seq": 5}),
    );
    let visit = tandem_shared::visit::VisitContext {
        pages: vec![tandem_shared::visit::VisitedPage {
            url: "https://shop.example/cart".into(),
            title: Some("Cart".into()),
            at_ms: 7,
        }],
        time_zone: Some("Europe/Paris".into()),
        visits: Some(2),
        ..Default::default()
    };
    assert_golden(
        VisitorMsg::Visit {
            context: visit.clone(),
        },
        json!({"type": "visit", "context": {"pages": [{"url": "https://shop.example/cart", "title": "Cart", "at_ms": 7}],
            "time_zone": "Europe/Paris", "visits": 2}}),
    );
    assert_golden(
        ServerMsg::VisitChanged {
            conversation_id: conv(),
            visit,
        },
        json!({"type": "visit_changed", "conversation_id": "c1", "visit": {"pages": [{"url": "https://shop.example/cart", "title": "Cart", "at_ms": 7}],
            "time_zone": "Europe/Paris", "visits": 2}}),
    );
}

#[test]
fn server_frames() {
    let visitor_conv = VisitorConversation {
        id: conv(),
        token: "t".into(),
        status: ConversationStatus::Active,
        adviser_name: Some("Léa".into()),
        visitor_name: "Ana".into(),
        last_seq: 3,
        adviser_seen_seq: 2,
    };
    assert_golden(
        ServerMsg::VisitorWelcome {
            protocol: 1,
            conversation: Some(visitor_conv.clone()),
            queues: vec![],
        },
        json!({"type": "visitor_welcome", "protocol": 1, "conversation": {
            "id": "c1", "token": "t", "status": "active", "adviser_name": "Léa", "visitor_name": "Ana", "last_seq": 3, "adviser_seen_seq": 2}}),
    );
    assert_golden(
        ServerMsg::ChatStarted {
            conversation: VisitorConversation {
                adviser_name: None,
                ..visitor_conv
            },
        },
        json!({"type": "chat_started", "conversation": {
            "id": "c1", "token": "t", "status": "active", "visitor_name": "Ana", "last_seq": 3, "adviser_seen_seq": 2}}),
    );
    assert_golden(
        ServerMsg::QueueStatus {
            conversation_id: conv(),
            position: 2,
            estimated_wait_secs: Some(120),
            advisers_online: 1,
        },
        json!({"type": "queue_status", "conversation_id": "c1", "position": 2, "estimated_wait_secs": 120, "advisers_online": 1}),
    );
    assert_golden(
        ServerMsg::Event {
            conversation_id: conv(),
            event: ConversationEvent {
                seq: 1,
                at_ms: 1000,
                kind: EventKind::Message {
                    author: Author {
                        role: Role::Visitor,
                        name: "Ana".into(),
                    },
                    body: "Hi".into(),
                    client_msg_id: Some("m1".into()),
                    file: None,
                },
            },
        },
        json!({"type": "event", "conversation_id": "c1", "event": {"seq": 1, "at_ms": 1000, "kind": "message",
            "author": {"role": "visitor", "name": "Ana"}, "body": "Hi", "client_msg_id": "m1"}}),
    );
    assert_golden(
        ServerMsg::Event {
            conversation_id: conv(),
            event: ConversationEvent {
                seq: 4,
                at_ms: 2000,
                kind: EventKind::Message {
                    author: Author {
                        role: Role::Visitor,
                        name: "Ana".into(),
                    },
                    body: "scan.pdf".into(),
                    client_msg_id: None,
                    file: Some(tandem_shared::files::SharedFile {
                        id: "f1".into(),
                        name: "scan.pdf".into(),
                        content_type: "application/pdf".into(),
                        bytes: 2048,
                        path: "/files/f1/k3y".into(),
                    }),
                },
            },
        },
        json!({"type": "event", "conversation_id": "c1", "event": {"seq": 4, "at_ms": 2000, "kind": "message",
            "author": {"role": "visitor", "name": "Ana"}, "body": "scan.pdf",
            "file": {"id": "f1", "name": "scan.pdf", "content_type": "application/pdf", "bytes": 2048, "path": "/files/f1/k3y"}}}),
    );
    assert_golden(
        ServerMsg::Event {
            conversation_id: conv(),
            event: ConversationEvent {
                seq: 2,
                at_ms: 5,
                kind: EventKind::AdviserJoined {
                    name: "Léa".into()
                },
            },
        },
        json!({"type": "event", "conversation_id": "c1", "event": {"seq": 2, "at_ms": 5, "kind": "adviser_joined", "name": "Léa"}}),
    );
    assert_golden(
        ServerMsg::Event {
            conversation_id: conv(),
            event: ConversationEvent {
                seq: 3,
                at_ms: 6,
                kind: EventKind::Ended { by: Role::Adviser },
            },
        },
        json!({"type": "event", "conversation_id": "c1", "event": {"seq": 3, "at_ms": 6, "kind": "ended", "by": "adviser"}}),
    );
    assert_golden(
        ServerMsg::Typing {
            conversation_id: conv(),
            role: Role::Adviser,
            name: "Léa".into(),
            active: true,
        },
        json!({"type": "typing", "conversation_id": "c1", "role": "adviser", "name": "Léa", "active": true}),
    );
    let adviser = AdviserProfile {
        id: AdviserId::from("a1"),
        login: "lea".into(),
        display_name: "Léa".into(),
        level: 2,
        queues: vec!["billing".into()],
        role: tandem_shared::access::AdviserRole::Supervisor,
    };
    let presence = Presence {
        available: false,
        max_chats: 2,
    };
    assert_golden(
        ServerMsg::AdviserWelcome {
            protocol: 1,
            adviser,
            presence,
        },
        json!({"type": "adviser_welcome", "protocol": 1, "adviser": {"id": "a1", "login": "lea", "display_name": "Léa", "level": 2, "queues": ["billing"], "role": "supervisor"},
            "presence": {"available": false, "max_chats": 2}}),
    );
    assert_golden(
        ServerMsg::PresenceChanged { presence },
        json!({"type": "presence_changed", "presence": {"available": false, "max_chats": 2}}),
    );
    assert_golden(
        ServerMsg::Queue {
            entries: vec![QueueEntry {
                conversation_id: conv(),
                position: 1,
                visitor_name: "Ana".into(),
                company: None,
                reason: "Invoice".into(),
                requested_at_ms: 7,
                queue: "billing".into(),
                level: 2,
                transferred: true,
            }],
        },
        json!({"type": "queue", "entries": [{"conversation_id": "c1", "position": 1, "visitor_name": "Ana",
            "reason": "Invoice", "requested_at_ms": 7, "queue": "billing", "level": 2, "transferred": true}]}),
    );
    assert_golden(
        ServerMsg::Assigned {
            conversation: Box::new(ConversationDetail {
                id: conv(),
                status: ConversationStatus::Active,
                reason: "Invoice".into(),
                page_url: None,
                requested_at_ms: 7,
                contact: ContactCard {
                    id: ContactId::from("p1"),
                    name: "Ana".into(),
                    email: None,
                    phone: Some("0612345678".into()),
                    company: None,
                    verified_user_id: None,
                },
                contact_match: ContactMatch::Typed,
                history: vec![PastSession {
                    id: ConversationId::from("c0"),
                    requested_at_ms: 1,
                    reason: "Delivery".into(),
                    status: ConversationStatus::Ended,
                    advisers: vec!["Léa".into()],
                    wrap_up: None,
                }],
                events: vec![],
                queue: "general".into(),
                level: 1,
                locale: Some("fr".into()),
                notes: vec![],
                handovers: vec![],
                survey: None,
                visit: None,
                visitor_seen_seq: 0,
                adviser_seen_seq: 0,
                channel: Channel::Phone,
            }),
        },
        json!({"type": "assigned", "conversation": {"id": "c1", "status": "active", "reason": "Invoice",
            "requested_at_ms": 7, "contact": {"id": "p1", "name": "Ana", "phone": "0612345678"},
            "contact_match": "typed",
            "history": [{"id": "c0", "requested_at_ms": 1, "reason": "Delivery", "status": "ended", "advisers": ["Léa"]}],
            "events": [], "queue": "general", "level": 1, "locale": "fr", "notes": [], "handovers": [],
            "visitor_seen_seq": 0, "adviser_seen_seq": 0, "channel": "phone"}}),
    );
    assert_golden(
        ServerMsg::Closed {
            conversation_id: conv(),
            transferred_to: None,
        },
        json!({"type": "closed", "conversation_id": "c1"}),
    );
}

#[test]
fn service_desk_frames() {
    assert_golden(
        VisitorMsg::LeaveMessage {
            request: ChatRequest {
                name: "Ana".into(),
                phone: Some("0612345678".into()),
                reason: "Call me".into(),
                queue: Some("billing".into()),
                ..Default::default()
            },
            callback_at_ms: Some(9),
        },
        json!({"type": "leave_message", "request": {"name": "Ana", "phone": "0612345678", "reason": "Call me",
            "queue": "billing"}, "callback_at_ms": 9}),
    );
    assert_golden(
        VisitorMsg::Survey {
            token: "t".into(),
            survey: desk::Survey {
                csat: Some(5),
                nps: Some(9),
                ..Default::default()
            },
        },
        json!({"type": "survey", "token": "t", "survey": {"csat": 5, "nps": 9}}),
    );
    assert_golden(
        AdviserMsg::Transfer {
            conversation_id: conv(),
            target: desk::TransferTarget::Level { level: 2 },
            note: "needs an expert".into(),
        },
        json!({"type": "transfer", "conversation_id": "c1", "target": {"to": "level", "level": 2},
            "note": "needs an expert"}),
    );
    assert_golden(
        AdviserMsg::AddNote {
            conversation_id: conv(),
            body: "VIP".into(),
        },
        json!({"type": "add_note", "conversation_id": "c1", "body": "VIP"}),
    );
    assert_golden(
        ServerMsg::QueuesChanged { queues: vec![] },
        json!({"type": "queues_changed", "queues": []}),
    );
    assert_golden(
        ServerMsg::Ticket {
            ticket: desk::VisitorTicket {
                id: "k1".into(),
                token: "kt".into(),
                kind: desk::TicketKind::Callback,
                message: "Call me".into(),
                created_at_ms: 1,
                due_at_ms: 2,
                callback_at_ms: Some(3),
                answer: None,
                answered_by: None,
            },
            new: true,
        },
        json!({"type": "ticket", "ticket": {"id": "k1", "token": "kt", "kind": "callback", "message": "Call me",
            "created_at_ms": 1, "due_at_ms": 2, "callback_at_ms": 3}, "new": true}),
    );
    assert_golden(
        ServerMsg::ColleaguesChanged {
            advisers: vec![desk::Colleague {
                id: tandem_shared::AdviserId("a2".into()),
                display_name: "Max".into(),
                level: 3,
                queues: vec!["billing".into()],
                online: true,
                available: false,
            }],
        },
        json!({"type": "colleagues_changed", "advisers": [{"id": "a2", "display_name": "Max", "level": 3,
            "queues": ["billing"], "online": true, "available": false}]}),
    );
    assert_golden(
        ServerMsg::Closed {
            conversation_id: conv(),
            transferred_to: Some("level 2".into()),
        },
        json!({"type": "closed", "conversation_id": "c1", "transferred_to": "level 2"}),
    );
    assert_golden(
        ServerMsg::Error {
            code: ErrorCode::InvalidInput,
            message: "bad".into(),
            field: Some("email".into()),
        },
        json!({"type": "error", "code": "invalid_input", "message": "bad", "field": "email"}),
    );
}

#[test]
fn a_newer_relay_frame_is_ignored_by_older_clients() {
    let frame: ServerMsg =
        serde_json::from_value(json!({"type": "screen_share_offer", "sdp": "v=0"})).unwrap();
    assert_eq!(frame, ServerMsg::Unknown);
}

#[test]
fn role_names_match_the_wire() {
    for role in [Role::Visitor, Role::Adviser, Role::System] {
        assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
    }
}

#[test]
fn co_browsing_frames() {
    use tandem_shared::cobrowse::*;
    let input = PageNode::Element(Box::new(ElementNode {
        id: 2,
        tag: "input".into(),
        attrs: vec![("name".into(), "iban".into())],
        children: Vec::new(),
        shadow: None,
        svg: false,
        masked: true,
    }));
    let snapshot = PageSnapshot {
        url: "https://site.test/apply".into(),
        title: "Apply".into(),
        viewport: Viewport { w: 800, h: 600 },
        scroll_x: 0,
        scroll_y: 40,
        mode: Default::default(),
        too_large: None,
        root: PageNode::Element(Box::new(ElementNode {
            id: 1,
            tag: "html".into(),
            attrs: Vec::new(),
            children: vec![
                input,
                PageNode::Text {
                    id: 3,
                    text: "Hi".into(),
                },
            ],
            shadow: Some(Vec::new()),
            svg: false,
            masked: false,
        })),
    };
    assert_golden(
        VisitorMsg::CobrowseSnapshot {
            snapshot: Box::new(snapshot),
        },
        json!({"type": "cobrowse_snapshot", "snapshot": {
            "url": "https://site.test/apply", "title": "Apply", "viewport": {"w": 800, "h": 600},
            "scroll_x": 0, "scroll_y": 40,
            "root": {"k": "e", "id": 1, "t": "html", "s": [], "c": [
                {"k": "e", "id": 2, "t": "input", "a": [["name", "iban"]], "m": true},
                {"k": "t", "id": 3, "v": "Hi"}
            ]}
        }}),
    );
    assert_golden(
        VisitorMsg::CobrowseChanges {
            changes: PageChanges {
                changes: vec![
                    PageChange::Value {
                        id: 5,
                        value: "Jo".into(),
                    },
                    PageChange::Scroll {
                        id: None,
                        x: 0,
                        y: 120,
                    },
                    PageChange::Attr {
                        id: 6,
                        name: "class".into(),
                        value: None,
                    },
                ],
                at_ms: 1700,
            },
        },
        json!({"type": "cobrowse_changes", "changes": {"changes": [
            {"op": "value", "id": 5, "value": "Jo"},
            {"op": "scroll", "x": 0, "y": 120},
            {"op": "attr", "id": 6, "name": "class"}
        ], "at_ms": 1700}}),
    );
    assert_golden(
        VisitorMsg::CobrowseAnswer { accepted: true },
        json!({"type": "cobrowse_answer", "accepted": true}),
    );
    assert_golden(VisitorMsg::CobrowseStop, json!({"type": "cobrowse_stop"}));
    let part = tandem_shared::cobrowse_parts::FramePart {
        frame: 4,
        index: 0,
        count: 3,
        page_url: Some("https://site.test/apply".into()),
        data: r#"{"kind":"snapshot","snap"#.into(),
    };
    assert_golden(
        VisitorMsg::CobrowsePart { part: part.clone() },
        json!({"type": "cobrowse_part", "part": {"frame": 4, "index": 0, "count": 3,
               "page_url": "https://site.test/apply", "data": "{\"kind\":\"snapshot\",\"snap"}}),
    );
    assert_golden(
        ServerMsg::CobrowsePart {
            conversation_id: conv(),
            part: tandem_shared::cobrowse_parts::FramePart {
                index: 1,
                page_url: None,
                data: "shot".into(),
                ..part
            },
        },
        json!({"type": "cobrowse_part", "conversation_id": "c1",
               "part": {"frame": 4, "index": 1, "count": 3, "data": "shot"}}),
    );
    assert_golden(
        VisitorMsg::SuggestArticles {
            text: "changer mon RIB".into(),
            locale: "fr".into(),
        },
        json!({"type": "suggest_articles", "text": "changer mon RIB", "locale": "fr"}),
    );
    assert_golden(
        ServerMsg::Suggestions {
            text: "changer mon RIB".into(),
            articles: vec![tandem_shared::faq::Suggestion {
                id: "a1".into(),
                title: "Changer de RIB".into(),
                body: "Dans votre espace.".into(),
            }],
        },
        json!({"type": "suggestions", "text": "changer mon RIB",
               "articles": [{"id": "a1", "title": "Changer de RIB", "body": "Dans votre espace."}]}),
    );
    assert_golden(
        AdviserMsg::CobrowseGuide {
            conversation_id: conv(),
            guidance: Guidance::Fill {
                id: 5,
                value: "x".into(),
            },
        },
        json!({"type": "cobrowse_guide", "conversation_id": "c1", "guidance": {"do": "fill", "id": 5, "value": "x"}}),
    );
    assert_golden(
        ServerMsg::CobrowseInvite {
            conversation_id: conv(),
            adviser: "Léa".into(),
        },
        json!({"type": "cobrowse_invite", "conversation_id": "c1", "adviser": "Léa"}),
    );
    assert_golden(
        ConversationEvent {
            seq: 3,
            at_ms: 9,
            kind: EventKind::CobrowseEnded { by: Role::Visitor },
        },
        json!({"seq": 3, "at_ms": 9, "kind": "cobrowse_ended", "by": "visitor"}),
    );
}

#[test]
fn guidance_is_checked() {
    use tandem_shared::cobrowse::Guidance;
    let label = Guidance::Highlight {
        id: 1,
        label: "x".repeat(81),
    };
    assert_eq!(label.validated().map_err(|e| e.field), Err("label"));
    let script = Guidance::Navigate {
        url: "javascript:alert(1)".into(),
    };
    assert_eq!(script.validated().map_err(|e| e.field), Err("url"));
    let page = Guidance::Navigate {
        url: "https://site.test/apply".into(),
    };
    assert!(page.clone().validated().is_ok());
    assert!(!page.needs_control());
    assert!(Guidance::Check {
        id: 1,
        checked: true
    }
    .needs_control());
}
