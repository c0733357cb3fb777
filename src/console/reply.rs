//! The replies the console gets, typed: one [`Reply`] variant per request, holding the reply
//! type that request declares (`<X as Call>::Reply`), and [`decoder`], which picks the decoding
//! for a reply by the request it answers. A result of another shape is a [`ReplyError`] that
//! is logged and shown, never an empty list or a default.

use crate::protocol::request::{self, Call};
use crate::protocol::{ApiError, Request};
use serde_json::Value;

/// Turns the `result` of an `ok` reply into the typed reply of the request it answers.
pub type Decode = fn(Value) -> Result<Reply, serde_json::Error>;

/// Declares `Reply` with one variant per request type, and the decoder for each.
macro_rules! replies {
    ($($ty:ident),+ $(,)?) => {
        /// A successful reply, named after the request it answers.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Reply {
            $($ty(<request::$ty as Call>::Reply),)+
        }

        impl Reply {
            /// The request type this answers, for logs.
            pub fn name(&self) -> &'static str {
                match self { $(Reply::$ty(_) => stringify!($ty),)+ }
            }
        }

        /// How to read the reply to `request`: as the reply type its [`Call`] declares.
        pub fn decoder(request: &Request) -> Decode {
            match request {
                $(Request::$ty(_) => |v| serde_json::from_value(v).map(Reply::$ty),)+
            }
        }
    };
}

replies! {
    Hello,
    Login,
    Resume,
    ChangePassword,
    Logout,
    SetStatus,
    Accept,
    Reject,
    Snapshot,
    Directory,
    Profile,
    Transfer,
    Tag,
    FollowUp,
    End,
    EndCancel,
    TagsSuggest,
    KbSearch,
    KbGet,
    KbHistory,
    KbSent,
    KbPropose,
    KbProposals,
    KbProposalGet,
    KbReview,
    KbWithdraw,
    KbUpdates,
    KbCheckIn,
    KbCheckins,
    QuickReplies,
    QuickReplySave,
    QuickReplyDelete,
    QuickReplyUsed,
    CustomerStart,
    CustomerResume,
    Rate,
    SendMessage,
    Typing,
    Transcript,
    Suggest,
    SessionCc,
    CcContacts,
    CcList,
    NoteAdd,
    MentionsList,
    MentionRead,
    HistorySearch,
    HistorySession,
    ReportGet,
    DashboardWatch,
    AgentSetStatus,
    TakeOver,
    TotpEnroll,
    TotpConfirm,
    TotpDisable,
    DevicesList,
    DeviceEnd,
    TokenRenew,
    MeGet,
    MeUpdate,
    AuditList,
}

/// Why a request got no usable reply.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplyError {
    /// The server refused it (or the network task did, e.g. a full outbox), with a code and
    /// a message for people.
    #[error("{0}")]
    Api(ApiError),
    /// Not sent or not answered: not connected, or the connection dropped first.
    #[error("not connected to the server")]
    NotConnected,
    /// The server said `ok`, but its result does not have the shape of the request's reply
    /// type (another server version, or a bug). `detail` is for the log.
    #[error("the reply to `{request}` could not be read: {detail}")]
    Unreadable {
        request: &'static str,
        detail: String,
    },
}

impl From<ApiError> for ReplyError {
    fn from(e: ApiError) -> Self {
        ReplyError::Api(e)
    }
}

/// Reads the `result` of an `ok` reply to `request` (named `kind` for the log); a result of
/// the wrong shape is logged and becomes [`ReplyError::Unreadable`].
pub fn read(decode: Decode, kind: &'static str, result: Value) -> Result<Reply, ReplyError> {
    decode(result).map_err(|e| {
        tracing::error!(request = kind, error = %e, "a reply of the wrong shape from the server");
        ReplyError::Unreadable {
            request: kind,
            detail: e.to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::request::{Directory, SendMessage};

    #[test]
    fn a_reply_is_read_as_its_requests_reply_type() {
        let send = Request::from(SendMessage {
            session_id: 1,
            client_msg_id: "c".into(),
            body: "hi".into(),
        });
        let ack = serde_json::json!({"session_id": 1, "seq": 4, "created_at": 9});
        let got = read(decoder(&send), send.kind(), ack).unwrap();
        assert!(
            matches!(got, Reply::SendMessage(a) if a.seq == 4),
            "{got:?}"
        );
    }

    #[test]
    fn a_reply_of_the_wrong_shape_is_an_error_not_a_default() {
        let dir = Request::from(Directory {});
        for wrong in [
            serde_json::json!({"agents": "none", "groups": []}),
            serde_json::json!({"groups": []}),
            serde_json::json!([]),
            Value::Null,
        ] {
            let err = read(decoder(&dir), dir.kind(), wrong.clone()).unwrap_err();
            assert!(
                matches!(&err, ReplyError::Unreadable { request: "directory", detail } if !detail.is_empty()),
                "{wrong}: {err:?}"
            );
        }
    }
}
