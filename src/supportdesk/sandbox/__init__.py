"""The sandbox provider server: all five provider APIs (PROVIDERS.md) on one loopback port, with
seeded demo data, webhook events, and injectable latency and faults."""

from .app import create_app
from .config import (
    DEMO_OFFERS_APIKEY,
    DEMO_OFFERS_CLIENTKEY,
    DEMO_OFFERS_CLIENTPASS,
    DEMO_RADAR_PASSWORD,
    DEMO_RADAR_USERNAME,
    SandboxConfig,
)
from .server import SandboxServer, serve

__all__ = [
    "DEMO_OFFERS_APIKEY",
    "DEMO_OFFERS_CLIENTKEY",
    "DEMO_OFFERS_CLIENTPASS",
    "DEMO_RADAR_PASSWORD",
    "DEMO_RADAR_USERNAME",
    "SandboxConfig",
    "SandboxServer",
    "create_app",
    "serve",
]
