"""Reporting: Allure labels and attachments, verdicts, traceability."""
