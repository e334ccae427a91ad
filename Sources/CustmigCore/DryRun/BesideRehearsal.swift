import AsyncAlgorithms
import Foundation
import Synchronization

/// A first load's rehearsal run beside its planning: each batch the plan writer closes is replayed on a
/// scratch copy of the target by a child task while the planner goes on with the next customers.
/// The batches are the plan's own (same rows, same order, same cut) and the actions are made the way
/// the cutover makes them from the stored plan, so the copy refuses what the target would.
///
/// At most `window` closed batches wait for the replay (besides the one replayed and the one filling):
/// a planner ahead of the replay waits instead of holding the whole plan's images in memory.
struct BesideRehearsal: Sendable {
    /// A batch the plan writer closed, with its rows.
    struct Batch: Sendable {
        var batch: Int
        var rows: [Planner.ActionRow]
    }

    let copy: any RehearsalCopy
    let window: Int
    /// Told how far the replay got once planning has ended and only the replay is left.
    let progress: ProgressHandler?
    private let counts = Counts()

    init(copy: any RehearsalCopy, window: Int = 8, progress: ProgressHandler? = nil) {
        self.copy = copy
        self.window = window
        self.progress = progress
    }

    /// Replays the batches as they come and deletes the copy at the end (also when cancelled or after
    /// a failure, which it records for the planner); returns what the copy refused.
    func replay(_ batches: AsyncChannel<Batch>, failure: FirstError) async -> [RefusedAction] {
        defer { copy.close() }
        var refused: [RefusedAction] = []
        for await next in batches.buffer(policy: .bounded(window)) where !failure.isSet {
            do {
                let actions = next.rows.map { $0.targetAction() }
                refused += try copy.replay(batch: next.batch, actions: actions)
                if let (replayed, sent) = counts.replayed(), let progress {
                    progress(
                        StageProgress(
                            "rehearsing on the target", done: Int64(replayed), total: Int64(sent), unit: .batches))
                }
            } catch {
                failure.record(error)
            }
        }
        return refused
    }

    /// Planning has ended with `sent` batches: from now on the replay's progress is shown.
    func planningEnded(sent: Int) {
        let replayed = counts.planningEnded(sent: sent)
        progress?(StageProgress("rehearsing on the target", done: Int64(replayed), total: Int64(sent), unit: .batches))
    }

    /// Batches replayed, and the number sent once planning has ended.
    private final class Counts: Sendable {
        private let state = Mutex<(replayed: Int, sent: Int?)>((0, nil))

        func replayed() -> (replayed: Int, sent: Int)? {
            state.withLock { state in
                state.replayed += 1
                return state.sent.map { (state.replayed, $0) }
            }
        }

        func planningEnded(sent: Int) -> Int {
            state.withLock { state in
                state.sent = sent
                return state.replayed
            }
        }
    }
}

extension Planner.ActionRow {
    /// The action the cutover will make of this row once stored: its images prepared as when they are
    /// read back (a new customer's rows straight from its image, an update's with its before-image).
    func targetAction() -> TargetAction {
        let image = image ?? CustomerImage()
        var action = TargetAction(
            kind: applyKind ?? .upsert, canonicalKey: key, customerId: customerId ?? "", image: CustomerImage(),
            crosswalk: self.action == .link ? "linked" : "inserted")
        action.expectedFingerprint = fingerprint
        action.sourceHash = sourceHash
        if let newImage {
            action.prepared = newImage.preparedForRehearsal
        } else {
            action.prepared =
                before == nil
                ? PreparedImages.rebuiltForRehearsal(image, fingerprint: imageFingerprint ?? image.fingerprint)
                : PreparedImages(image: image, before: before)
        }
        return action
    }
}
