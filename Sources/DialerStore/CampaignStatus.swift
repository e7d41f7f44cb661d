import GRDB

/// Where a campaign is in its life, and the moves allowed between states: a draft starts,
/// a running campaign pauses or stops, a paused one resumes or stops; stopped is final
/// (its pending calls stay as they are, for the record). The pacer moves a running campaign
/// to completed when it has nothing left to dial (or its end time passed); calls added to a
/// completed campaign are dialed after it is started again.
public enum CampaignStatus: String, Sendable, CaseIterable {
    case draft, running, paused, stopped, completed

    /// The state `action` leads to from here, or nil when it does not apply.
    public func after(_ action: CampaignAction) -> CampaignStatus? {
        switch (self, action) {
        case (.draft, .start), (.completed, .start), (.paused, .resume): .running
        case (.running, .pause): .paused
        case (.running, .stop), (.paused, .stop), (.draft, .stop), (.completed, .stop): .stopped
        default: nil
        }
    }
}

public enum CampaignAction: String, Sendable, CaseIterable {
    case start, pause, resume, stop
}

/// The move was not allowed from the campaign's current state.
public struct CampaignTransitionRefused: Error, Sendable, Equatable {
    public var from: CampaignStatus
    public var action: CampaignAction
}

extension DialerStore {
    /// Applies `action` in one transaction (two API calls at once cannot both start a
    /// campaign); nil when there is no such campaign.
    public func apply(_ action: CampaignAction, toCampaign id: String, now: Double) throws -> Campaign? {
        try pool.write { db in
            guard var campaign = try Campaign.fetchOne(db, key: id) else { return nil }
            let current = CampaignStatus(rawValue: campaign.status) ?? .draft
            guard let next = current.after(action) else { throw CampaignTransitionRefused(from: current, action: action) }
            campaign.status = next.rawValue
            campaign.updatedAt = now
            try campaign.update(db)
            return campaign
        }
    }

    /// Every campaign, newest first.
    public func campaigns() throws -> [Campaign] {
        try pool.read { try Campaign.order(Column("created_at").desc, Column("id")).fetchAll($0) }
    }
}

extension DialerStore {
    /// The campaigns the pacer dials now.
    public func runningCampaigns() throws -> [Campaign] {
        try pool.read { try Campaign.filter(Column("status") == CampaignStatus.running.rawValue).order(Column("created_at")).fetchAll($0) }
    }

    /// Marks a running campaign completed when none of its calls is pending or dialing, or
    /// unconditionally when `force` (its end time passed); true when it changed.
    public func completeCampaign(id: String, force: Bool, now: Double) throws -> Bool {
        try pool.write { db in
            guard var campaign = try Campaign.fetchOne(db, key: id), campaign.status == CampaignStatus.running.rawValue else { return false }
            if !force {
                let open = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_call WHERE campaign_id = ? AND status IN ('pending', 'dialing')",
                                            arguments: [id]) ?? 0
                guard open == 0 else { return false }
            }
            campaign.status = CampaignStatus.completed.rawValue
            campaign.updatedAt = now
            try campaign.update(db)
            return true
        }
    }

    /// How many of a campaign's calls are in each queue status (pending, dialing, done).
    public func campaignProgress(id: String) throws -> [String: Int] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM campaign_call WHERE campaign_id = ? GROUP BY status", arguments: [id])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["status"] as String, $0["n"] as Int) })
        }
    }
}
