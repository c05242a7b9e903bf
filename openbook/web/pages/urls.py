"""The pages' routes (docs/pages.md lists them). Each is public unless it says otherwise."""

from django.urls import path

from openbook.web.pages import (
    alerts,
    assets,
    home,
    language,
    organisations,
    plans,
    processes,
    progress,
    registers,
    search,
    service,
)
from openbook.web.pages import spend as spend_pages
from openbook.web.pages.publisher import (
    admin,
    admin_debarment,
    admin_review,
    dashboard,
    notices,
    payment_corrections,
    process,
    signing_in,
)
from openbook.web.pages.publisher import corrections as publisher_corrections
from openbook.web.pages.publisher import groups as publisher_groups
from openbook.web.pages.publisher import keys as publisher_keys
from openbook.web.pages.publisher import payments as publisher_payments
from openbook.web.pages.supplier import account as supplier_account
from openbook.web.pages.supplier import registering as supplier_registering

urlpatterns = [
    path("", home.home, name="home"),
    path("language/<str:code>", language.choose, name="language"),
    path("assets/<path:name>", assets.serve, {"root": "assets"}, name="assets"),
    path("static/<path:name>", assets.serve, {"root": "static"}, name="static"),
    # publisher pages (openbook.web.pages.publisher): each needs a signed-in account
    path("publish/sign-in", signing_in.sign_in, name="sign-in"),
    path("publish/sign-out", signing_in.sign_out, name="sign-out"),
    path("publish", dashboard.dashboard, name="publish"),
    path("publish/keys", publisher_keys.keys, name="publish-keys"),
    path("publish/keys/<str:key_id>/revoke", publisher_keys.revoke, name="publish-key-revoke"),
    # a quarter's payments from one file (s.70)
    path("publish/payments", publisher_payments.payments, name="publish-payments"),
    path("publish/notices/new", notices.start, name="publish-notice"),
    path("publish/notices/draft/check", notices.check, name="publish-notice-check"),
    path("publish/notices/draft/<str:name>", notices.question, name="publish-notice-question"),
    # a thing of a question answered by adding things one at a time ("add another")
    path(
        "publish/notices/draft/<str:name>/<str:item>",
        publisher_groups.thing,
        name="publish-notice-thing",
    ),
    path(
        "publish/notices/draft/<str:name>/<str:item>/remove",
        publisher_groups.remove,
        name="publish-notice-thing-remove",
    ),
    path("publish/notices/published", notices.published, name="publish-notice-published"),
    # a procurement's notices, and the next notice of it
    path("publish/processes/<str:ocid>", process.process_page, name="publish-process"),
    # correcting and withdrawing a notice (a release id may hold "/": the path converter)
    path(
        "publish/processes/<str:ocid>/notices/<path:release_id>/correct",
        publisher_corrections.correct,
        name="publish-notice-correct",
    ),
    # One payment of a payments notice of several, corrected (payment_corrections.py)
    path(
        "publish/processes/<str:ocid>/notices/<path:release_id>/correct/payment",
        payment_corrections.check,
        name="publish-payment-correct",
    ),
    path(
        "publish/processes/<str:ocid>/notices/<path:release_id>/correct/payment/corrected",
        payment_corrections.corrected,
        name="publish-payment-corrected",
    ),
    path(
        "publish/processes/<str:ocid>/notices/<path:release_id>/correct/payment/<str:name>",
        payment_corrections.question,
        name="publish-payment-question",
    ),
    path(
        "publish/processes/<str:ocid>/notices/<path:release_id>/withdraw",
        publisher_corrections.withdraw,
        name="publish-notice-withdraw",
    ),
    # administration (openbook.web.pages.publisher.admin*): administrator accounts only
    path("publish/admin", admin.dashboard, name="publish-admin"),
    path("publish/admin/debarment", admin_debarment.entries, name="publish-admin-debarment"),
    path("publish/admin/debarment/new", admin_debarment.add, name="publish-admin-debarment-add"),
    path(
        "publish/admin/debarment/check",
        admin_debarment.check,
        name="publish-admin-debarment-check",
    ),
    path(
        "publish/admin/debarment/<str:key>",
        admin_debarment.entry,
        name="publish-admin-debarment-entry",
    ),
    path(
        "publish/admin/debarment/<str:key>/change",
        admin_debarment.change,
        name="publish-admin-debarment-change",
    ),
    path(
        "publish/admin/debarment/<str:key>/end",
        admin_debarment.end,
        name="publish-admin-debarment-end",
    ),
    path("publish/admin/reviews/<str:code>", admin_review.cases, name="publish-admin-reviews"),
    path(
        "publish/admin/reviews/<str:code>/<str:key>",
        admin_review.case,
        name="publish-admin-review",
    ),
    # search routes
    path("search", search.search_page, name="search"),
    path("search.csv", search.search_csv, name="search-csv"),
    path("search/feed", search.search_atom, name="search-feed"),
    path("alerts/search", alerts.search_alert, name="alerts-search"),
    path("alerts/processes/<str:ocid>", alerts.process_alert, name="alerts-process"),
    path(
        "alerts/organisations/<str:identifier>",
        alerts.organisation_alert,
        name="alerts-organisation",
    ),
    path("alerts/confirm/<str:token>", alerts.confirm, name="alerts-confirm"),
    path("alerts/unsubscribe/<str:token>", alerts.unsubscribe, name="alerts-unsubscribe"),
    path(
        "organisations/<str:identifier>/feed",
        alerts.organisation_feed,
        name="organisation-feed",
    ),
    # process routes
    path("processes/<str:ocid>", processes.process, name="process"),
    # organisation routes
    path("organisations", organisations.find, name="organisations"),
    path("organisations/<str:identifier>", organisations.organisation, name="organisation"),
    # spend routes
    path("spend/bodies/<str:body>", spend_pages.body_page, name="spend-body"),
    # register and progress routes
    path("registers", registers.index, name="registers"),
    path("registers/<str:code>", registers.register_page, name="register"),
    path("registers/<str:code>/<path:key>", registers.entry_page, name="register-entry"),
    # action plan routes
    path("plans", plans.index, name="plans"),
    path("plans/<str:plan_id>", plans.plan_page, name="plan"),
    path(
        "plans/<str:plan_id>/commitments/<str:commitment_id>",
        plans.commitment_page,
        name="plan-commitment",
    ),
    path(
        "plans/<str:plan_id>/commitments/<str:commitment_id>/milestones/<str:milestone_id>",
        plans.milestone_page,
        name="plan-milestone",
    ),
    path("metrics", progress.overview, name="metrics"),
    path("metrics/<str:metric>", progress.metric_page, name="metric"),
    path("accessibility", service.accessibility, name="accessibility"),
    path("privacy", service.privacy, name="privacy"),
    path("cookies", service.cookies, name="cookies"),
    path("verify", service.verify, name="verify"),
    # suppliers: registering (public, the questions after a proved address)
    # and the supplier's own pages (a signed-in supplier account)
    path("suppliers/register", supplier_registering.start, name="supplier-register"),
    path("suppliers/register/email", supplier_registering.email, name="supplier-register-email"),
    path(
        "suppliers/register/link/<str:token>",
        supplier_registering.link,
        name="supplier-register-link",
    ),
    path("suppliers/register/check", supplier_registering.check, name="supplier-register-check"),
    path(
        "suppliers/register/registered",
        supplier_registering.registered,
        name="supplier-registered",
    ),
    path(
        "suppliers/register/<str:name>",
        supplier_registering.question,
        name="supplier-register-question",
    ),
    path("suppliers/sign-in", supplier_account.sign_in, name="supplier-sign-in"),
    path("suppliers/sign-out", supplier_account.sign_out, name="supplier-sign-out"),
    path("suppliers/account", supplier_account.details, name="supplier-account"),
    path("suppliers/account/<str:name>", supplier_account.change, name="supplier-account-change"),
]
