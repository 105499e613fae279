"""``manage.py certificate_keys_rotate``: create a new active Ed25519 key in RUTA_SIGNING_KEYS_DIR.

Old keys stay in the folder (and their public halves in the database), so older certificates still verify.
To retire an old private key, replace ``<kid>.pem`` by its public ``<kid>.pub.pem``.
"""

from django.core.management.base import BaseCommand, CommandError

from certification import signing


class Command(BaseCommand):
    help = "Generate a new active certificate signing key (key rotation)."

    def handle(self, *args, **options):
        folder = signing.keys_dir()
        if folder is None:
            raise CommandError("Set RUTA_SIGNING_KEYS_DIR to the folder that holds the signing keys.")
        pair = signing.key_file_create(folder)
        self.stdout.write(f"Nueva clave activa: {pair.kid} ({folder / (pair.kid + '.pem')})")
