import Foundation

/// An update's after-image stored as its changed fields. A three-way merge's image is the target row
/// it read with each changed field set to its `after` value, so a plan row that keeps the before-image
/// (the undo journal needs it) and the changes (the reports show them) need not copy the after-image
/// too: `record_ref` says `changes`, `image` is NULL, and `image_fingerprint` binds the image the
/// cutover rebuilds (and stands for it in the plan hash, as for an insert by reference).
enum ChangedImage {
    /// The `record_ref` of a row whose after-image is its before-image with its changes.
    static let marker = "changes"

    /// Whether `image` is `before` with `changes` applied: only then is the row stored by its changes.
    static func rebuilds(_ image: CustomerImage, before: CustomerImage, changes: [FieldChange]) -> Bool {
        applying(changes, to: before).values == image.values
    }

    /// The after-image of a stored row (its before-image read by the caller, who needs it too), checked
    /// against its fingerprint.
    static func image(
        before base: CustomerImage?, changes: String?, fingerprint: String?, key: String, plan: Int64
    ) throws -> CustomerImage {
        guard let base,
            let list = changes.map({ try? JSONDecoder().decode([FieldChange].self, from: Data($0.utf8)) }) ?? []
        else { throw unreadable(key: key, plan: plan, why: "its before-image or its changes cannot be read") }
        let image = applying(list, to: base)
        guard image.fingerprint == fingerprint else {
            throw unreadable(key: key, plan: plan, why: "its changes no longer make the image the plan was hashed with")
        }
        return image
    }

    private static func applying(_ changes: [FieldChange], to before: CustomerImage) -> CustomerImage {
        var image = before
        for change in changes { image.values[change.path] = change.after }
        return image
    }

    private static func unreadable(key: String, plan: Int64, why: String) -> CustmigError {
        CustmigError(
            .stalePlan, code: "PLAN-CHANGES-UNREADABLE", "customer \(key) of plan \(plan): \(why).",
            fix:
                "run custmig dry-run again: it plans from the records and the target as they are now; then have the new plan approved."
        )
    }
}
