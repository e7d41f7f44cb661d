import GRDB

/// Where a campaign is in its life, and the moves allowed between states: a draft starts,
/// a running campaign pauses or stops, a paused one resumes or stops; stopped is final
/// (its pending calls stay as they are, for the record).
public enum CampaignStatus: String, Sendable, CaseIterable {
    case draft, running, paused, stopped

    /// The state `action` leads to from here, or nil when it does not apply.
    public func after(_ action: CampaignAction) -> CampaignStatus? {
        switch (self, action) {
        case (.draft, .start), (.paused, .resume): .running
        case (.running, .pause): .paused
        case (.running, .stop), (.paused, .stop), (.draft, .stop): .stopped
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
