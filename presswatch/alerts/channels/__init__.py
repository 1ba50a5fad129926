"""Delivery channels: each sends one alert message somewhere or raises DeliveryError."""

from presswatch.alerts.channels.base import Channel
from presswatch.alerts.channels.smtp import EmailChannel, Security
from presswatch.alerts.channels.webhook import WebhookChannel

__all__ = ["Channel", "EmailChannel", "Security", "WebhookChannel"]
