"""The Assets the lakehouse DAGs publish and consume (logical names, not storage paths: the
storage is the site's lakehouse home)."""

from airflow.sdk import Asset

# identifiable.instances and its companions, updated by ingest (pacs_feed)
IDENTIFIABLE_INSTANCES = Asset(
    name="lakehouse_identifiable_instances", uri="lakehouse://identifiable/instances"
)
# deidentified.study/series/image and the linked datasets (inventory)
DEIDENTIFIED_INVENTORY = Asset(
    name="lakehouse_deidentified_inventory", uri="lakehouse://deidentified/inventory"
)
# a project extraction that verified clean and waits for a human to release it (project_extract)
PROJECT_EXTRACT_VERIFIED = Asset(
    name="lakehouse_project_extract_verified", uri="lakehouse://projects/extract-verified"
)
