/// Finds, renders and replaces the online-meeting block of a meeting invitation.
///
/// The block is the part of an invitation body that tells attendees how to join:
/// a Teams block framed by lines of underscores, or a Skype for Business / Lync block
/// framed by lines of periods, in HTML or plain text. Everything here works on the
/// body's UTF-8 bytes, so text outside a block is never normalised or re-encoded (M3, M8).
public enum InvitationBlock {
    /// Every online-meeting block in `body`, in order.
    ///
    /// `kind` is `.teams` for Teams blocks; for Skype/Lync blocks `.skypeOnline` when the
    /// join URL host is `meet.lync.com`, else `.skypeOnPremises`. Blocks never overlap.
    /// - Parameters:
    ///   - body: The invitation body.
    ///   - format: Whether `body` is HTML or plain text.
    /// - Returns: The blocks, ordered by position; empty when the body has none.
    public static func find(in body: String, format: BodyFormat) -> [FoundBlock] {
        []
    }

    /// A block for `details`, in our own wording and markup.
    ///
    /// `find(in:format:)` finds the result again, with the same join URL.
    /// - Parameters:
    ///   - details: The meeting's join details.
    ///   - format: The format of the body the block goes into.
    /// - Returns: The block, with `\n` line endings and no trailing line break.
    public static func render(_ details: JoinDetails, format: BodyFormat) -> String {
        ""
    }

    /// `body` with `block` replaced by `render(details, format:)`.
    ///
    /// Every UTF-8 byte outside `block.utf8Range` is kept identical (M3, M8); whatever
    /// was inside the block, including a user's edits, is overwritten.
    /// - Parameters:
    ///   - block: A block that `find(in:format:)` returned for this same `body`.
    ///   - body: The invitation body.
    ///   - details: The join details of the new block.
    ///   - format: Whether `body` is HTML or plain text.
    /// - Returns: The new body.
    public static func replacing(_ block: FoundBlock, in body: String, with details: JoinDetails, format: BodyFormat) -> String {
        body
    }
}
