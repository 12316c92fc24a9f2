import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from groups.models import Group, Membership, Role

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Member {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Verified by default, as allauth's mandatory verification requires to log in."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = "Platform Cooperatives NYC"
    slug = factory.Sequence(lambda n: f"group-{n}")
    tagline = "Democratic ownership of the online economy."
    about = "We talk about **cooperatives**."
    city = "New York, NY"
    time_zone = "America/New_York"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER
