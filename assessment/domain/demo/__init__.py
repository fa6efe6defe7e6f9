"""The synthetic demo population (agencies, rounds, answers) as plain values."""
