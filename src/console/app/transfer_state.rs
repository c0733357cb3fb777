//! Where the open transfer dialog stands (`transfer_dialog` acts on it).

/// Where the open transfer dialog stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferStatus {
    /// The request is on its way: confirming again does nothing.
    pub sending: bool,
    /// The server's reason for the last refusal (sanitised).
    pub refused: Option<String>,
    /// The target could not take it now: the next confirm queues it anyway.
    pub queue_offered: bool,
}

impl TransferStatus {
    /// Another target was chosen: the old refusal no longer applies.
    pub fn reset(&mut self) {
        self.refused = None;
        self.queue_offered = false;
    }
}
