"""What a line of a cost sheet charges for: each kind has its own GST rate (a tenant
setting) because the law taxes them differently (5% on an under-construction flat and
what goes with it, 18% on a club membership, nothing on a refundable deposit)."""

from __future__ import annotations

from enum import StrEnum


class ChargeType(StrEnum):
    base_price = "base_price"
    floor_rise = "floor_rise"
    preferred_location = "preferred_location"
    car_parking = "car_parking"
    club_membership = "club_membership"
    maintenance_deposit = "maintenance_deposit"
    other = "other"


LABELS: dict[ChargeType, str] = {
    ChargeType.base_price: "Base price",
    ChargeType.floor_rise: "Floor rise",
    ChargeType.preferred_location: "Preferred location charge",
    ChargeType.car_parking: "Car parking",
    ChargeType.club_membership: "Club membership",
    ChargeType.maintenance_deposit: "Maintenance deposit",
    ChargeType.other: "Other charges",
}
