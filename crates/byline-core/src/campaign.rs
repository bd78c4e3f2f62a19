//! Campaigns (being written).
