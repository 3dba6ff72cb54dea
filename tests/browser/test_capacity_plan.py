"""An economist computes the 5-year plan: the progress bar polls while the worker runs, then
links the result, and the result page shows the fan charts."""

import datetime
import re

import pytest
from django.core.management import call_command

from roret.capacity.models import PlanRun
from roret.placements.services import start_placement
from tests.browser.conftest import login


@pytest.mark.django_db(transaction=True)
def test_the_economist_starts_a_plan_watches_it_finish_and_sees_the_fan_charts(world, page, live_server):
    today = datetime.date.today()
    for i in range(6):
        start = today - datetime.timedelta(days=250 * (i + 1))
        end = None if i == 0 else start + datetime.timedelta(days=200)
        grant = world.grant(world.citizen(first_name=f"R{i}"), world.residential, start=start, end=end)
        start_placement(grant, world.residential, start, end=end, actor=world.users["caseworker"])

    login(page, live_server, "economist")
    page.goto(f"{live_server.url}/capacity/groups/sel108/")
    page.fill("#id_replications", "100")
    page.fill("#id_seed", "11")
    page.click("form[action$='/run/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/capacity/runs/\d+/$"))
    run = PlanRun.objects.get()
    progress = page.locator("progress.roret-progress")
    assert progress.is_visible() and progress.get_attribute("value") == "0"

    # The worker (`roret db_worker`) picks the job up; the page keeps polling meanwhile.
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)
    result_link = page.locator(f"a[href='/capacity/runs/{run.pk}/'].button")
    result_link.wait_for(timeout=10000)  # htmx polls every second until the job is done
    assert page.locator("progress.roret-progress").get_attribute("value") == "100"

    result_link.click()
    page.wait_for_selector("figure.roret-chart-figure svg")
    assert page.locator("figure.roret-chart-figure svg").count() == 4
    # The PDF is made in the background too: the bar, then the file to download.
    page.click("form[action$='/pdf/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/capacity/runs/\d+/#pdf$"))
    assert page.locator("#pdf progress.roret-progress").is_visible()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)
    download_link = page.locator("#pdf a[href$='/output/']")
    download_link.wait_for(timeout=10000)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == f"capacity-plan-sel108-{run.pk}.pdf"
