"""The synthetic world generator: the registry contract, determinism, and a believable graph.

No Neo4j here: the world is checked as files, the way the loaders will receive them. The
identifier rules are re-implemented below from the registry contract, independently of both
the generator and ``graph_service.identifiers``.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]  # no stubs in the dev extras
import pytest

from graph_service.synthetic.world import generate_world
from tests.conftest import cli_env, run_cli

TODAY = date(2026, 11, 26)
PARTIES, SEED = 3000, 11

# The registry contract's columns, copied from the format spec (not from the generator).
SPEC = {
    "companies": "uscc name org_kind legal_rep_name legal_rep_id registered_capital_cny "
    "established_on status district_code address industry",
    "persons": "id_number name gender birth_date district_code",
    "shareholdings": "company_uscc holder_id holder_name stake_pct subscribed_cny since until",
    "officers": "company_uscc person_id person_name role since until",
    "branches": "branch_uscc parent_uscc",
    "officials": "id_number name agency_uscc position rank since until",
    "official_records": "record_no id_number kind outcome decided_on authority expires_on",
    "cases": "case_no court_uscc court_name case_type cause filed_on closed_on",
    "case_parties": "case_no party_id party_name role",
    "case_officials": "case_no official_id role",
    "interventions": "record_no case_no official_id kind occurred_on recorded_by_id description",
    "dishonest_debtors": "case_no court_name debtor_id debtor_name legal_rep_name obligation "
    "performance behaviour published_on removed_on",
    "tax_violations": "case_ref taxpayer_id taxpayer_name nature amount_cny legal_rep_id "
    "legal_rep_name finance_officer_id finance_officer_name authority "
    "published_on expires_on",
    "admin_penalties": "decision_no party_id party_name domain severity violation penalty "
    "authority decided_on publish_until",
    "blacklists": "entry_no list party_id party_name reason authority listed_on expires_on case_no",
    "red_list": "entry_no list party_id party_name authority valid_from valid_until",
    "contacts": "party_id kind value reported_on",
    "record_updates": "record_ref status effective_on authority reason",
}
PARTY_COLUMNS = {"holder_id", "party_id", "debtor_id", "taxpayer_id"}
PERSON_COLUMNS = {
    "legal_rep_id",
    "person_id",
    "id_number",
    "official_id",
    "recorded_by_id",
    "finance_officer_id",
}
COMPANY_COLUMNS = {
    "uscc",
    "company_uscc",
    "branch_uscc",
    "parent_uscc",
    "agency_uscc",
    "court_uscc",
}
START_COLUMNS = {
    "established_on",
    "since",
    "decided_on",
    "filed_on",
    "occurred_on",
    "published_on",
    "listed_on",
    "valid_from",
    "reported_on",
    "effective_on",
}


# --- the identifier rules, independently -----------------------------------------------------

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def valid_uscc(code: str) -> bool:
    if len(code) != 18 or any(ch not in USCC_CHARS for ch in code):
        return False
    weights = [3**i % 31 for i in range(17)]  # 1, 3, 9, 27, 19, 26, … as in GB 32100
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(code, weights, strict=False))
    return USCC_CHARS[(31 - total % 31) % 31] == code[17]


def valid_org_code(code: str) -> bool:
    """GB 11714: the 9th character of the organisation code inside a USCC."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch, 36) * w for ch, w in zip(code[:8], weights, strict=True))
    check = (11 - total % 11) % 11
    return code[8] == ("X" if check == 10 else str(check))


def valid_id(number: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # 7, 9, 10, 5, … as in GB 11643
    total = sum(int(ch) * w for ch, w in zip(number, weights, strict=False))
    if "10X98765432"[total % 11] != number[17]:
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


def valid_party(value: str) -> bool:
    return (
        valid_id(value)
        if value[:1].isdigit() and len(value) == 18 and value[:17].isdigit()
        else valid_uscc(value)
    )


def test_the_independent_checkers_accept_the_contract_samples() -> None:
    assert valid_uscc("91130102RG8E64XKKR") and not valid_uscc("91130102RG8E64XKKA")
    assert valid_id("13010019750101415X") and not valid_id("130100197501014150")
    assert valid_org_code("D2143569X")


# --- fixtures --------------------------------------------------------------------------------


def first_line(path: Path) -> str:
    with path.open(encoding="utf-8") as handle:
        return handle.readline()


def read(folder: Path, kind: str) -> list[dict[str, str]]:
    if kind == "contacts":
        lines = (folder / "contacts.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]
    with (folder / f"{kind}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    generate_world(PARTIES, SEED, folder)
    return folder


@pytest.fixture(scope="module")
def world(world_dir: Path) -> dict[str, list[dict[str, str]]]:
    return {kind: read(world_dir, kind) for kind in SPEC}


def all_values(
    world: dict[str, list[dict[str, str]]], columns: set[str]
) -> Iterator[tuple[str, str, str]]:
    for kind, rows in world.items():
        for row in rows:
            for column in columns & row.keys():
                if row[column]:
                    yield kind, column, row[column]


# --- the contract ----------------------------------------------------------------------------


def test_every_kind_has_rows_and_exactly_the_spec_columns(world_dir: Path) -> None:
    for kind, columns in SPEC.items():
        if kind == "contacts":
            header = list(json.loads(first_line(world_dir / "contacts.jsonl")))
        else:
            header = first_line(world_dir / f"{kind}.csv").strip().split(",")
        assert header == columns.split(), kind
        assert len(read(world_dir, kind)) > 0, f"{kind} is empty"
    assert sorted(p.name for p in world_dir.iterdir()) == sorted(
        f"{k}.jsonl" if k == "contacts" else f"{k}.csv" for k in SPEC
    )


def test_files_are_utf8_without_bom_and_counts_match(tmp_path: Path) -> None:
    counts = generate_world(400, 3, tmp_path)
    for kind, rows in counts.items():
        name = f"{kind}.jsonl" if kind == "contacts" else f"{kind}.csv"
        raw = (tmp_path / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")
        assert len(read(tmp_path, kind)) == rows
    assert counts["companies"] + counts["persons"] == 400


def test_every_identifier_passes_its_check_digit(world: dict[str, list[dict[str, str]]]) -> None:
    bad = [v for v in all_values(world, COMPANY_COLUMNS) if not valid_uscc(v[2])]
    bad += [v for v in all_values(world, COMPANY_COLUMNS) if not valid_org_code(v[2][8:17])]
    bad += [v for v in all_values(world, PERSON_COLUMNS) if not valid_id(v[2])]
    bad += [v for v in all_values(world, PARTY_COLUMNS) if not valid_party(v[2])]
    assert not bad, bad[:5]


def test_persons_agree_with_their_id_numbers(world: dict[str, list[dict[str, str]]]) -> None:
    for person in world["persons"]:
        number = person["id_number"]
        assert person["birth_date"].replace("-", "") == number[6:14]
        assert person["gender"] == ("M" if int(number[16]) % 2 else "F")
        assert person["district_code"] == number[:6]


def test_keys_are_unique(world: dict[str, list[dict[str, str]]]) -> None:
    keys = {
        "companies": ("uscc",),
        "persons": ("id_number",),
        "cases": ("case_no",),
        "official_records": ("record_no",),
        "interventions": ("record_no",),
        "tax_violations": ("case_ref",),
        "admin_penalties": ("decision_no",),
        "blacklists": ("entry_no",),
        "red_list": ("entry_no",),
        "dishonest_debtors": ("case_no", "debtor_id"),
        "case_parties": ("case_no", "party_id", "role"),
    }
    for kind, columns in keys.items():
        values = [tuple(row[c] for c in columns) for row in world[kind]]
        assert len(values) == len(set(values)), kind


def test_every_reference_resolves(world: dict[str, list[dict[str, str]]]) -> None:
    companies = {r["uscc"]: r for r in world["companies"]}
    persons = {r["id_number"] for r in world["persons"]}
    officials = {r["id_number"] for r in world["officials"]}
    cases = {r["case_no"]: r for r in world["cases"]}
    parties = persons | companies.keys()
    assert {v for _, _, v in all_values(world, PARTY_COLUMNS)} <= parties
    assert {v for _, _, v in all_values(world, COMPANY_COLUMNS)} <= companies.keys()
    assert {v for _, _, v in all_values(world, PERSON_COLUMNS)} <= persons
    assert officials <= persons
    assert {r["official_id"] for r in world["case_officials"]} <= officials
    assert {r["official_id"] for r in world["interventions"]} <= officials
    assert {r["id_number"] for r in world["official_records"]} <= officials
    for kind in ("case_parties", "case_officials", "interventions", "dishonest_debtors"):
        assert {r["case_no"] for r in world[kind]} <= cases.keys(), kind
    assert {r["case_no"] for r in world["blacklists"] if r["case_no"]} <= cases.keys()
    assert {companies[r["agency_uscc"]]["org_kind"] for r in world["officials"]} <= {
        "gov_agency",
        "court",
        "procuratorate",
    }
    assert {companies[r["court_uscc"]]["org_kind"] for r in world["cases"]} == {"court"}


def test_debtors_are_enforcees_of_enforcement_cases(
    world: dict[str, list[dict[str, str]]],
) -> None:
    enforcees = {
        (r["case_no"], r["party_id"]) for r in world["case_parties"] if r["role"] == "enforcee"
    }
    for row in world["dishonest_debtors"]:
        assert (row["case_no"], row["debtor_id"]) in enforcees


def test_names_match_the_registries(world: dict[str, list[dict[str, str]]]) -> None:
    names = {r["uscc"]: r["name"] for r in world["companies"]}
    names |= {r["id_number"]: r["name"] for r in world["persons"]}
    pairs = [
        ("shareholdings", "holder_id", "holder_name"),
        ("officers", "person_id", "person_name"),
        ("case_parties", "party_id", "party_name"),
        ("dishonest_debtors", "debtor_id", "debtor_name"),
        ("tax_violations", "taxpayer_id", "taxpayer_name"),
        ("tax_violations", "legal_rep_id", "legal_rep_name"),
        ("companies", "legal_rep_id", "legal_rep_name"),
        ("officials", "id_number", "name"),
        ("red_list", "party_id", "party_name"),
        ("blacklists", "party_id", "party_name"),
    ]
    for kind, id_column, name_column in pairs:
        for row in world[kind]:
            if row[id_column]:
                assert names[row[id_column]] == row[name_column], (kind, row)


def test_record_updates_refer_to_earlier_records(world: dict[str, list[dict[str, str]]]) -> None:
    refs = {r["record_no"] for r in world["official_records"]}
    refs |= {r["case_ref"] for r in world["tax_violations"]}
    refs |= {r["decision_no"] for r in world["admin_penalties"]}
    refs |= {r["entry_no"] for r in world["blacklists"] + world["red_list"]}
    refs |= {f"{r['case_no']}|{r['debtor_id']}" for r in world["dishonest_debtors"]}
    updates = world["record_updates"]
    assert {u["record_ref"] for u in updates} <= refs
    assert {"repaired", "revoked", "removed"} <= {u["status"] for u in updates}


def test_dates_are_valid_and_nothing_starts_after_today(
    world: dict[str, list[dict[str, str]]],
) -> None:
    for kind, rows in world.items():
        for row in rows:
            for column, value in row.items():
                if column.endswith(("_on", "_date", "since", "until", "valid_from")) and value:
                    day = date.fromisoformat(value)
                    if column in START_COLUMNS:
                        assert day <= TODAY, (kind, row)
            if row.get("since") and row.get("until"):
                assert row["since"] <= row["until"], (kind, row)


def test_some_records_expired_and_some_still_active(
    world: dict[str, list[dict[str, str]]],
) -> None:
    ends = [date.fromisoformat(r["publish_until"]) for r in world["admin_penalties"]]
    assert any(end <= TODAY for end in ends) and any(end > TODAY for end in ends)
    open_debtors = [r for r in world["dishonest_debtors"] if not r["removed_on"]]
    assert 0 < len(open_debtors) < len(world["dishonest_debtors"])


# --- the graph -------------------------------------------------------------------------------


def test_stakes_never_add_up_to_more_than_100(world: dict[str, list[dict[str, str]]]) -> None:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in world["shareholdings"]:
        stake = Decimal(row["stake_pct"])
        assert Decimal(0) < stake <= Decimal(100)
        totals[row["company_uscc"]] += stake
    assert max(totals.values()) <= Decimal(100)
    assert any(total < 100 for total in totals.values())  # unknown holders exist too
    assert any(row["until"] for row in world["shareholdings"])  # and some ended stakes


def ownership(world: dict[str, list[dict[str, str]]], majority: bool) -> nx.DiGraph:
    companies = {r["uscc"] for r in world["companies"]}
    return nx.DiGraph(
        (r["holder_id"], r["company_uscc"])
        for r in world["shareholdings"]
        if r["holder_id"] in companies and (not majority or Decimal(r["stake_pct"]) > 50)
    )


def test_ownership_has_cycles_and_deep_majority_chains(
    world: dict[str, list[dict[str, str]]],
) -> None:
    graph = ownership(world, majority=False)
    assert nx.find_cycle(graph)
    chains = ownership(world, majority=True)
    assert nx.is_directed_acyclic_graph(chains)
    assert nx.dag_longest_path_length(chains) >= 3  # four companies, each holding the next


def test_holdings_are_heavy_tailed(world: dict[str, list[dict[str, str]]]) -> None:
    degrees = sorted(Counter(r["holder_id"] for r in world["shareholdings"]).values())
    assert degrees[len(degrees) // 2] <= 2  # most hold one or two companies …
    assert degrees[-1] >= 15  # … a few hold very many


def test_branches_and_officer_roles(world: dict[str, list[dict[str, str]]]) -> None:
    share = len(world["branches"]) / len(world["companies"])
    assert 0.02 <= share <= 0.04
    roles = {r["role"] for r in world["officers"]}
    assert {"chair", "principal", "actual_controller", "finance_officer"} <= roles
    assert {r["case_type"] for r in world["cases"]} == {
        "civil",
        "criminal",
        "administrative",
        "enforcement",
        "bribery",
    }


def test_a_few_percent_of_parties_are_listed(world: dict[str, list[dict[str, str]]]) -> None:
    listed = {r["debtor_id"] for r in world["dishonest_debtors"]}
    listed |= {r["taxpayer_id"] for r in world["tax_violations"]}
    listed |= {r["party_id"] for r in world["blacklists"]}
    listed |= {r["party_id"] for r in world["admin_penalties"] if r["severity"] == "serious"}
    assert 0.02 <= len(listed) / PARTIES <= 0.04
    red = {r["party_id"] for r in world["red_list"]}
    assert 0.01 <= len(red) / PARTIES <= 0.03


def test_related_parties_share_contacts(world: dict[str, list[dict[str, str]]]) -> None:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in world["contacts"]:
        value = row["value"]
        if row["kind"] == "phone":
            value = re.sub(r"\D", "", value).removeprefix("86")
        owners[(row["kind"], value.lower())].add(row["party_id"])
    shared = Counter(kind for (kind, _), parties in owners.items() if len(parties) > 1)
    assert shared["phone"] > 0 and shared["address"] > 0 and shared["email"] > 0


# --- determinism and size --------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_world(world_dir: Path, tmp_path: Path) -> None:
    generate_world(PARTIES, SEED, tmp_path / "again")
    generate_world(PARTIES, SEED + 1, tmp_path / "other")
    for path in world_dir.iterdir():
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes(), path.name
    assert (tmp_path / "other" / "companies.csv").read_bytes() != (
        world_dir / "companies.csv"
    ).read_bytes()


def test_same_bytes_in_another_process_with_another_hash_seed(tmp_path: Path) -> None:
    # String hashing differs between processes: nothing may depend on set or hash order.
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        done = run_cli(
            "demo-data",
            "--parties",
            "600",
            "--out",
            str(out),
            env=cli_env(PYTHONHASHSEED=hash_seed),
        )
        assert done.returncode == 0, done.stderr
    for path in (tmp_path / "1").iterdir():
        assert (tmp_path / "2" / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("parties", [1, 2, 3, 7, 40, 150])
def test_tiny_worlds_are_still_valid(parties: int, tmp_path: Path) -> None:
    counts = generate_world(parties, 5, tmp_path)
    small = {kind: read(tmp_path, kind) for kind in SPEC}
    assert counts["companies"] + counts["persons"] == parties
    assert all(valid_uscc(v) for _, _, v in all_values(small, COMPANY_COLUMNS))
    assert all(valid_id(v) for _, _, v in all_values(small, PERSON_COLUMNS))


# --- the command line ------------------------------------------------------------------------


def test_cli_writes_the_world_and_reports_counts(tmp_path: Path) -> None:
    done = run_cli("demo-data", "--parties", "500", "--seed", "4", "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["rows"] == {kind: len(read(tmp_path, kind)) for kind in SPEC}
    assert report["total"] == sum(report["rows"].values())


def test_cli_prints_a_table_by_default(tmp_path: Path) -> None:
    done = run_cli("demo-data", "--parties", "50", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "companies.csv" in done.stdout and "total" in done.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--parties", "0"], "--parties must be between 1"),
        (["--parties", "-5"], "--parties must be between 1"),
        (["--parties", "10"], "is a file"),
    ],
)
def test_cli_bad_input_is_one_clear_line(args: list[str], needle: str, tmp_path: Path) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    done = run_cli("demo-data", *args, "--out", str(a_file))
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], done.stderr
    assert "Traceback" not in done.stderr + done.stdout
