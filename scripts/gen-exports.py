#!/usr/bin/env python3
"""Synthetic CRM exports in the shapes refbridge reads (see shared/formats.md). No real data:
names, companies and addresses are drawn from small made-up lists with a seeded generator.

  gen-exports.py --format csv|webapi-json|webapi-ndjson|cmt-xml|opportunity-json|salesforce-csv
                 --records N [--seed S] [--pages P] --output PATH
"""
import argparse, json, random, uuid

FIRST = ["Ann", "Bo", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jules", "Kofi", "Lena", "Mateo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sven", "Tara"]
LAST = ["Lee", "Novak", "Okafor", "Silva", "Berg", "Haddad", "Ito", "Kowalski", "Moreau", "Nakamura", "Olsen", "Patel", "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga", "Wong", "Young", "Zhou"]
COMPANY = ["Fabrikam", "Northwind Traders", "Tailspin Toys", "Wide World Importers", "Adatum", "Litware", "Proseware", "Woodgrove", "Lamna Healthcare", "Relecloud", "Trey Research", "Alpine Ski House", "Coho Winery", "Fourth Coffee", "Margie's Travel", "VanArsdel"]
SUFFIX = ["Ltd", "Inc", "GmbH", "S.A.", "B.V.", "plc", "LLC"]
PLACES = [("Seattle", "WA", "98101", "United States", "US"), ("Toronto", "ON", "M5H 2N2", "Canada", "CA"), ("Leeds", "West Yorkshire", "LS1 4AP", "United Kingdom", "GB"),
          ("München", "Bayern", "80331", "Germany", "DE"), ("Lyon", "Auvergne-Rhône-Alpes", "69002", "France", "FR"), ("Utrecht", "Utrecht", "3511", "Netherlands", "NL"),
          ("Sydney", "NSW", "2000", "Australia", "AU"), ("Osaka", "Osaka", "530-0001", "Japan", "JP"), ("Pune", "Maharashtra", "411001", "India", "IN"), ("Sevilla", "Andalucía", "41001", "Spain", "ES")]
CURRENCY = {"US": "US Dollar", "CA": "Canadian Dollar", "GB": "Pound Sterling", "DE": "Euro", "FR": "Euro", "NL": "Euro", "AU": "Australian Dollar", "JP": "Japanese Yen", "IN": "Indian Rupee", "ES": "Euro"}
CURRENCY_ISO = {"US Dollar": "USD", "Canadian Dollar": "CAD", "Pound Sterling": "GBP", "Euro": "EUR", "Australian Dollar": "AUD", "Japanese Yen": "JPY", "Indian Rupee": "INR"}
INDUSTRY = [(1, "Accounting"), (7, "Consulting"), (12, "Durable Manufacturing"), (16, "Financial"), (20, "Insurance"), (30, "Transportation"), (33, "Wholesale"), (11, "Doctor's Offices and Clinics")]
RATING = [(1, "Hot"), (2, "Warm"), (3, "Cold")]
STATUS = [(0, 1, "New"), (0, 2, "Contacted"), (1, 3, "Qualified"), (2, 4, "Lost")]
TOPICS = ["Fleet telematics rollout", "Move ERP to the cloud", "Contact centre upgrade", "Data platform modernisation", "Field service scheduling", "Security review & MFA", "Teams Phone migration", "Analytics for \"smart\" stores"]


def lead(rng, index, prefix):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company = f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)}"
    city, state, postal, country, code = rng.choice(PLACES)
    industry = rng.choice(INDUSTRY)
    rating = rng.choice(RATING)
    # Mostly open leads; a few disqualified ones the presets skip.
    status = STATUS[0] if rng.random() < 0.6 else rng.choice(STATUS)
    value = round(rng.uniform(5_000, 900_000), 2)
    close = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    notes = rng.choice(["Needs a partner for the rollout, budget approved.", "Asked for a demo; multi-site, 3 countries.\nDecision in Q3.", "Existing Dynamics customer, wants Field Service.", "Price-sensitive; wants a pilot first, \"ASAP\"."])
    return {
        "id": str(uuid.UUID(int=(prefix << 96) | index)), "first": first, "last": last, "company": company,
        "email": f"{first.lower()}.{last.lower()}@{company.split()[0].lower().replace(chr(39), '')}.example",
        "phone": f"+1 555 {rng.randint(1000000, 9999999)}", "street": f"{rng.randint(1, 999)} {rng.choice(['Main St', 'Harbour Rd', 'Lindenstraße', 'Rue Neuve'])}",
        "city": city, "state": state, "postal": postal, "country": country, "code": code, "industry": industry, "rating": rating,
        "status": status, "value": value, "currency": CURRENCY[code], "close": close, "topic": rng.choice(TOPICS), "notes": notes,
        "employees": rng.choice([12, 40, 120, 800, 2500, 12000]), "consent": rng.random() < 0.97, "donotemail": rng.random() < 0.1,
        "modified": f"2026-11-{rng.randint(1, 24):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
    }


def csv_field(text):
    text = str(text)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def write_csv(args, rng):
    header = ["(Do Not Modify) Lead", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On", "Topic", "First Name", "Last Name", "Company Name",
              "Email", "Business Phone", "Street 1", "City", "State/Province", "ZIP/Postal Code", "Country/Region", "Industry", "Est. Value", "Currency",
              "Est. Close Date", "Rating", "Status Reason", "Description", "No. of Employees", "Do not allow Emails", "Partner Sharing Consent"]
    with open(args.output, "w", encoding="utf-8-sig", newline="") as out:
        out.write(",".join(csv_field(h) for h in header) + "\r\n")
        for index in range(args.records):
            l = lead(rng, index + 1, 0xD1)
            month, day = l["close"][5:7], l["close"][8:10]
            row = [l["id"], f"{uuid.UUID(int=rng.getrandbits(128)).hex[:12]}==", l["modified"].replace("T", " ").rstrip("Z"), l["topic"], l["first"], l["last"],
                   l["company"], l["email"], l["phone"], l["street"], l["city"], l["state"], l["postal"], l["country"], l["industry"][1], f"{l['value']:.2f}",
                   l["currency"], f"{int(month)}/{int(day)}/{l['close'][:4]}", l["rating"][1], l["status"][2], l["notes"], l["employees"],
                   "Do Not Allow" if l["donotemail"] else "Allow", "Yes" if l["consent"] else "No"]
            out.write(",".join(csv_field(v) for v in row) + "\r\n")


def webapi_row(l):
    fv = "@OData.Community.Display.V1.FormattedValue"
    return {
        "@odata.etag": f"W/\"{abs(hash(l['id'])) % 99999999}\"", "leadid": l["id"], "subject": l["topic"], "firstname": l["first"], "lastname": l["last"],
        "fullname": f"{l['first']} {l['last']}", "companyname": l["company"], "emailaddress1": l["email"], "telephone1": l["phone"],
        "address1_line1": l["street"], "address1_city": l["city"], "address1_stateorprovince": l["state"], "address1_postalcode": l["postal"],
        "address1_country": l["country"], "address1_composite": f"{l['street']}\r\n{l['city']}\r\n{l['country']}",
        "industrycode": l["industry"][0], "industrycode" + fv: l["industry"][1],
        "estimatedamount": l["value"], "estimatedamount" + fv: f"{l['value']:,.2f}",
        "_transactioncurrencyid_value": str(uuid.uuid5(uuid.NAMESPACE_DNS, l["currency"])), "_transactioncurrencyid_value" + fv: l["currency"],
        "_transactioncurrencyid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "transactioncurrency",
        "estimatedclosedate": l["close"], "leadqualitycode": l["rating"][0], "leadqualitycode" + fv: l["rating"][1],
        "statecode": l["status"][0], "statuscode": l["status"][1], "statuscode" + fv: l["status"][2], "description": l["notes"],
        "numberofemployees": l["employees"], "donotemail": l["donotemail"], "new_partnerconsent": l["consent"], "modifiedon": l["modified"], "_parentaccountid_value": None,
    }


def write_webapi(args, rng, ndjson):
    rows = [webapi_row(lead(rng, i + 1, 0xD2)) for i in range(args.records)]
    if ndjson:
        with open(args.output, "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        return
    pages = max(1, args.pages)
    size = (len(rows) + pages - 1) // pages
    for page in range(pages):
        path = args.output if pages == 1 else args.output.replace(".json", f"-page{page + 1}.json")
        body = {"@odata.context": "https://contoso.crm.dynamics.com/api/data/v9.2/$metadata#leads", "value": rows[page * size:(page + 1) * size]}
        if page + 1 < pages:
            body["@odata.nextLink"] = f"https://contoso.crm.dynamics.com/api/data/v9.2/leads?$skiptoken=%3Ccookie%20pagenumber=%22{page + 2}%22%20/%3E"
        with open(path, "w", encoding="utf-8") as out:
            json.dump(body, out, ensure_ascii=False, indent=1)


def xml_attr(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("\n", "&#xA;").replace("\r", "&#xD;")


def write_cmt(args, rng):
    with open(args.output, "w", encoding="utf-8") as out:
        # As real exports: a newline before the root, no XML declaration.
        out.write('\n<entities xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" timestamp="2026-11-24T16:27:50.4009413Z">\n')
        out.write('  <entity name="lead" displayname="Lead">\n    <records>\n')
        for index in range(args.records):
            l = lead(rng, index + 1, 0xD3)
            fields = [("subject", l["topic"]), ("firstname", l["first"]), ("lastname", l["last"]), ("companyname", l["company"]), ("emailaddress1", l["email"]),
                      ("telephone1", l["phone"]), ("address1_line1", l["street"]), ("address1_city", l["city"]), ("address1_stateorprovince", l["state"]),
                      ("address1_postalcode", l["postal"]), ("address1_country", l["country"]), ("industrycode", l["industry"][0]),
                      ("estimatedamount", f"{l['value']:.10f}"), ("estimatedamount_base", f"{l['value']:.10f}"), ("estimatedclosedate", l["close"] + "T00:00:00.0000000Z"),
                      ("leadqualitycode", l["rating"][0]), ("statecode", l["status"][0]), ("statuscode", l["status"][1]), ("description", l["notes"]),
                      ("donotemail", "True" if l["donotemail"] else "False"), ("new_partnerconsent", "True" if l["consent"] else "False")]
            out.write(f'      <record id="{l["id"]}">\n')
            for name, value in fields:
                out.write(f'        <field name="{name}" value="{xml_attr(value)}" />\n')
            out.write(f'        <field name="transactioncurrencyid" value="{uuid.uuid5(uuid.NAMESPACE_DNS, l["currency"])}" lookupentity="transactioncurrency" lookupentityname="{xml_attr(l["currency"])}" />\n')
            out.write(f'        <field name="ownerid" value="{uuid.UUID(int=7)}" lookupentity="systemuser" lookupentityname="# Dataverse App User" />\n')
            out.write("      </record>\n")
        out.write("    </records>\n    <m2mrelationships />\n  </entity>\n")
        out.write('  <entity name="account" displayname="Account">\n    <records>\n      <record id="a0000000-0000-0000-0000-000000000001">\n        <field name="name" value="Fabrikam Ltd" />\n      </record>\n    </records>\n    <m2mrelationships />\n  </entity>\n</entities>\n')


def write_opportunities(args, rng):
    fv = "@OData.Community.Display.V1.FormattedValue"
    rows = []
    for index in range(args.records):
        l = lead(rng, index + 1, 0xD4)
        state, status, label = rng.choice([(0, 1, "In Progress"), (0, 2, "On Hold"), (1, 3, "Won"), (2, 4, "Canceled")])
        rows.append({
            "@odata.etag": f"W/\"{index + 9000}\"", "opportunityid": l["id"], "name": l["topic"], "estimatedvalue": l["value"], "estimatedvalue" + fv: f"{l['value']:,.2f}",
            "estimatedclosedate": l["close"], "closeprobability": rng.choice([10, 40, 70, 90]), "salesstage": rng.randint(0, 3), "description": l["notes"],
            "statecode": state, "statuscode": status, "statuscode" + fv: label, "_transactioncurrencyid_value" + fv: l["currency"],
            "customerid_account": {"accountid": str(uuid.UUID(int=(0xA4 << 96) | index)), "name": l["company"], "address1_line1": l["street"], "address1_city": l["city"],
                                   "address1_stateorprovince": l["state"], "address1_postalcode": l["postal"], "address1_country": l["country"],
                                   "industrycode": l["industry"][0], "industrycode" + fv: l["industry"][1], "numberofemployees": l["employees"]},
            "parentcontactid": {"firstname": l["first"], "lastname": l["last"], "emailaddress1": l["email"], "telephone1": l["phone"]},
            "new_partnerconsent": l["consent"], "donotemail": l["donotemail"],
        })
    with open(args.output, "w", encoding="utf-8") as out:
        json.dump({"@odata.context": "https://contoso.crm.dynamics.com/api/data/v9.2/$metadata#opportunities(customerid_account(),parentcontactid())", "value": rows}, out, ensure_ascii=False, indent=1)


def write_salesforce(args, rng):
    header = ["Id", "FirstName", "LastName", "Company", "Street", "City", "State", "PostalCode", "Country", "CountryCode", "Email", "Phone", "Status", "Industry",
              "AnnualRevenue", "CurrencyIsoCode", "NumberOfEmployees", "LeadSource", "Rating", "Description", "CreatedDate", "IsConverted", "HasOptedOutOfEmail", "Partner_Consent__c"]
    sf_status = {"New": "Open - Not Contacted", "Contacted": "Working - Contacted", "Qualified": "Closed - Converted", "Lost": "Closed - Not Converted"}
    with open(args.output, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(f'"{h}"' for h in header) + "\n")
        for index in range(args.records):
            l = lead(rng, index + 1, 0xD5)
            sfid = "00Q5e00000" + f"{index + 1:05d}" + "AB"
            row = [sfid, l["first"], l["last"], l["company"], l["street"], l["city"], l["state"], l["postal"], l["country"], l["code"], l["email"], l["phone"],
                   sf_status[l["status"][2]], rng.choice(["Manufacturing", "Finance", "Healthcare", "Retail", "Education", "Government"]), f"{l['value']:.1f}",
                   CURRENCY_ISO[l["currency"]], l["employees"], rng.choice(["Web", "Partner Referral", "Trade Show"]), l["rating"][1], l["notes"],
                   l["modified"].replace("Z", ".000Z"), "false", "true" if l["donotemail"] else "false", "true" if l["consent"] else "false"]
            out.write(",".join('"' + str(v).replace('"', '""') + '"' for v in row) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", required=True, choices=["csv", "webapi-json", "webapi-ndjson", "cmt-xml", "opportunity-json", "salesforce-csv"])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pages", type=int, default=1)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    {"csv": write_csv, "cmt-xml": write_cmt, "opportunity-json": write_opportunities, "salesforce-csv": write_salesforce,
     "webapi-json": lambda a, r: write_webapi(a, r, False), "webapi-ndjson": lambda a, r: write_webapi(a, r, True)}[args.format](args, rng)


if __name__ == "__main__":
    main()
