from django.core.management.base import BaseCommand

from jichi.tenancy.services import load_national_list


class Command(BaseCommand):
    help = (
        "Load the national list of local governments (all prefectures, municipalities and "
        "wards) from the packaged postal data. Idempotent; works offline."
    )

    def handle(self, *args, **options):
        created, updated = load_national_list()
        self.stdout.write(
            self.style.SUCCESS(f"national list loaded: {created} created, {updated} updated")
        )
