"""Pure models: functions over frozen dataclasses and plain values. No I/O, no plotting, no pipeline."""
