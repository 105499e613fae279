"""``manage.py certificate_expiry_reminders [--days N]``: remind holders whose certificates expire soon."""

from django.core.management.base import BaseCommand

from certification.services import certificate_expiry_reminders_send


class Command(BaseCommand):
    help = "Send the expiry reminders that are due (e-mail, or an in-app notice when there is no e-mail)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="How many days ahead to remind.")

    def handle(self, *args, **options):
        count = certificate_expiry_reminders_send(days_before=options["days"])
        self.stdout.write(f"Recordatorios enviados: {count}")
