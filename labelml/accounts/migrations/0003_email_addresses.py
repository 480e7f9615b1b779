"""Every account gets its primary, verified allauth EmailAddress row (issue 16): the unique
address rule then sees every account. An account whose rows disagree with its own address (an
unverified address made primary) is set back to its own address, and unverified rows that claim
another account's address are removed."""

from django.db import migrations

DELETED_EMAIL_DOMAIN = "@invalid"


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    for user in User.objects.exclude(email__endswith=DELETED_EMAIL_DOMAIN).iterator():
        email = user.email
        EmailAddress.objects.filter(email__iexact=email, verified=False).exclude(
            user_id=user.pk
        ).delete()
        EmailAddress.objects.filter(user_id=user.pk, primary=True).exclude(
            email__iexact=email
        ).update(primary=False)
        row = EmailAddress.objects.filter(user_id=user.pk, email__iexact=email).first()
        if row is None:
            EmailAddress.objects.create(user_id=user.pk, email=email, verified=True, primary=True)
        elif not (row.verified and row.primary):
            row.verified = row.primary = True
            row.save(update_fields=["verified", "primary"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_suppressioncompte"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
