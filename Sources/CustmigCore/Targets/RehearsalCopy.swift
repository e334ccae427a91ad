/// A scratch copy of a target that a dry run replays its plan on, batch by batch, each batch committed
/// there as the cutover would commit it. The copy is deleted when closed (or when the object goes).
public protocol RehearsalCopy: AnyObject, Sendable {
    /// Replays one batch; an action the copy refuses is recorded, taken out and the batch replayed
    /// without it.
    func replay(batch: Int, actions: [TargetAction]) throws -> [RefusedAction]
    /// Deletes the copy.
    func close()
}
