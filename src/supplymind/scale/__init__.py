"""Scale-out on Ray: batch forecasting over partitioned histories (Ray Data) and
data-parallel fine-tuning (Ray Train). Ray is optional: without it everything runs in this
process, and asking for Ray raises :class:`~supplymind.exceptions.MissingDependencyError`
with the install hint."""

from supplymind.scale.batch import BatchReport, BatchSpec, PartitionForecaster, forecast_partitions
from supplymind.scale.cluster import connect
from supplymind.scale.partition import partition_files, partition_warehouse, write_partitions

__all__ = [
    "BatchReport",
    "BatchSpec",
    "PartitionForecaster",
    "connect",
    "forecast_partitions",
    "partition_files",
    "partition_warehouse",
    "write_partitions",
]
