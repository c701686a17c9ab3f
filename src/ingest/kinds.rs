//! One imported row by kind: enterprises merged with what is stored, relations and records
//! linked to enterprises through the resolver, each row checked before anything is written.

use super::import::ImportKind;
use super::reader::RawRow;
use super::rows::{problem, Fields, RowProblem, RowResult};
use crate::model::{
    Channel, Enterprise, EnterpriseSize, Filing, Invoice, Manager, NamedEnterprise, Party, Pledge,
    PledgeKind, PledgeStatus, Privacy, Record, Relation, RelationKind, RiskEvent, RiskKind, Tender,
    TenderKind,
};
use crate::resolve::{Context, EntRef, Resolution, Resolver};
use crate::store::{StoreError, StoreTx, Upsert};
use std::collections::{HashMap, HashSet};

pub(super) enum RowError {
    Invalid(RowProblem),
    Store(StoreError),
}

impl From<RowProblem> for RowError {
    fn from(p: RowProblem) -> Self {
        RowError::Invalid(p)
    }
}

impl From<StoreError> for RowError {
    fn from(e: StoreError) -> Self {
        RowError::Store(e)
    }
}

pub(super) struct Applied {
    pub(super) upsert: Upsert,
    /// The record written, for kinds that are records.
    pub(super) record: Option<Record>,
    /// What the checks after an import look at again when this row changed something: an
    /// enterprise row's enterprise, a relation's ends, a renamed person.
    pub(super) parties: Vec<Party>,
}

/// A reference that passed validation and is known not to be ambiguous.
struct CheckedRef {
    raw: String,
    reference: EntRef,
}

/// Resolves references inside the file's transaction, creating enterprises for unknown names.
pub(super) struct Linker<'t, 's> {
    pub(super) tx: &'t mut StoreTx<'s>,
    pub(super) resolver: &'t mut Resolver,
    pub(super) discovered: Vec<i64>,
    pub(super) privacy: &'t Privacy,
    /// Names of the persons rows have referred to, by id: persons are imported before the
    /// files that refer to them and do not change while one of those is imported.
    pub(super) persons: HashMap<String, String>,
}

impl Linker<'_, '_> {
    /// Validates a reference without writing anything.
    fn check(&self, column: &str, raw: &str) -> RowResult<CheckedRef> {
        let reference = EntRef::parse(raw).map_err(|e| problem(format!("`{column}`: {e}")))?;
        Ok(CheckedRef { raw: raw.trim().to_string(), reference })
    }

    /// Links a checked reference, creating a discovered enterprise when nothing matches.
    fn link(&mut self, checked: CheckedRef, origin: &str) -> Result<NamedEnterprise, StoreError> {
        self.link_in(checked, origin, &Context::default())
    }

    /// Links a reference with what its record says around it (the record's region breaks a tie
    /// between firms sharing a short name).
    fn link_in(
        &mut self,
        checked: CheckedRef,
        origin: &str,
        context: &Context<'_>,
    ) -> Result<NamedEnterprise, StoreError> {
        let mut enterprise = Enterprise { discovered_from: Some(origin.to_string()), ..Default::default() };
        match self.resolver.resolve_in(&checked.reference, context) {
            Resolution::Linked { id, .. } => {
                // A code says nothing to a reader: show the registered name instead.
                let name = match &checked.reference {
                    EntRef::Uscc(_) => self.resolver.name_of(id).map(str::to_string).unwrap_or(checked.raw),
                    EntRef::Name(_) => checked.raw,
                };
                return Ok(NamedEnterprise { name, id });
            }
            // Never link on a guess: a new enterprise that remembers who it might be.
            Resolution::NeedsReview { candidates } => {
                let ids: Vec<String> = candidates.iter().map(|c| c.id.to_string()).collect();
                enterprise.extra.insert("review_candidates".into(), ids.join("|"));
            }
            Resolution::NotFound => {}
        }
        match &checked.reference {
            EntRef::Uscc(code) => {
                enterprise.uscc = Some(code.clone());
                enterprise.name = code.clone();
            }
            EntRef::Name(name) => enterprise.name = name.clone(),
        }
        let enterprise = self.tx.insert_enterprise(enterprise)?;
        self.resolver.insert(&enterprise);
        self.discovered.push(enterprise.id);
        Ok(NamedEnterprise { name: checked.raw, id: enterprise.id })
    }

    /// A reference that may name a person (`person:ID`, who must already be imported: the
    /// transaction sees earlier rows and files) or an enterprise.
    fn check_party(&mut self, column: &str, raw: &str) -> Result<PartyRef, RowError> {
        match parse_person_ref(raw) {
            Some(person) => match self.person_name(person)? {
                Some(_) => Ok(PartyRef::Person(person.to_string())),
                None => Err(problem(format!("unknown person {person:?}; import persons first")).into()),
            },
            None => Ok(PartyRef::Enterprise(self.check(column, raw)?)),
        }
    }

    fn person_name(&mut self, id: &str) -> Result<Option<String>, StoreError> {
        if let Some(name) = self.persons.get(id) {
            return Ok(Some(name.clone()));
        }
        let name = self.tx.person_name(id)?;
        if let Some(name) = &name {
            self.persons.insert(id.to_string(), name.clone());
        }
        Ok(name)
    }

    /// Whether linking the reference would create an enterprise (nothing, or only a guess,
    /// matches it).
    fn would_discover(&self, checked: &CheckedRef) -> bool {
        !matches!(
            self.resolver.resolve_in(&checked.reference, &Context::default()),
            Resolution::Linked { .. }
        )
    }
}

pub(super) fn import_row(
    linker: &mut Linker<'_, '_>,
    kind: ImportKind,
    row: &RawRow,
    seen_ids: &mut HashSet<u128>,
) -> Result<Applied, RowError> {
    let fields = Fields::new(row);
    // The same id twice in one file: the first wins, the second is reported. Ids are kept as
    // 128-bit hashes (16 bytes each, not the text: a file can hold tens of millions).
    if let Some(id) = row.values.get("id") {
        if kind != ImportKind::Enterprises && !seen_ids.insert(xxhash_rust::xxh3::xxh3_128(id.as_bytes())) {
            return Err(problem(format!("duplicate id {id:?} in this file")).into());
        }
    }
    match kind {
        ImportKind::Enterprises => import_enterprise(linker, &fields),
        ImportKind::Persons => {
            let person = linker.privacy.protect(
                fields.required("id")?.to_string(),
                fields.required("name")?.to_string(),
                fields.opt("id_number"),
            );
            let upsert = linker.tx.upsert_person(&person)?;
            // A new person has no relations yet; a renamed one may now differ from what an
            // enterprise declares as its legal representative.
            let parties = if upsert == Upsert::Updated { vec![Party::Person(person.id)] } else { Vec::new() };
            Ok(Applied { upsert, record: None, parties })
        }
        ImportKind::Managers => {
            let manager = Manager {
                id: fields.required("id")?.to_string(),
                name: fields.required("name")?.to_string(),
                branch: fields.string("branch"),
                regions: fields.list("regions").into_iter().map(String::from).collect(),
                industries: fields.list("industries").into_iter().map(String::from).collect(),
                capacity: fields.integer("capacity")?,
                channel: match fields.opt("channel") {
                    None => Channel::Webhook,
                    Some(_) => {
                        fields.parse_enum("channel", Channel::parse, "webhook, wecom, dingtalk, feishu")?
                    }
                },
                webhook: match fields.opt("webhook") {
                    Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => {
                        return Err(problem(format!("`webhook` {url:?} is not an http(s) URL")).into())
                    }
                    url => url.map(str::to_string),
                },
                secret: fields.string("secret"),
            };
            Ok(Applied { upsert: linker.tx.upsert_manager(&manager)?, record: None, parties: Vec::new() })
        }
        ImportKind::Relations => import_relation(linker, &fields),
        _ => {
            let record = parse_record(linker, kind, &fields)?;
            let upsert = linker.tx.upsert_record(&record)?;
            Ok(Applied { upsert, record: Some(record), parties: Vec::new() })
        }
    }
}

fn import_enterprise(linker: &mut Linker<'_, '_>, f: &Fields<'_>) -> Result<Applied, RowError> {
    let name = f.required("name")?.trim().to_string();
    let uscc = f
        .opt("uscc")
        .map(crate::resolve::uscc::validate)
        .transpose()
        .map_err(|e| problem(format!("`uscc`: {e}")))?;
    let size = f
        .opt("size")
        .map(|s| {
            EnterpriseSize::parse(s)
                .ok_or_else(|| problem(format!("`size` {s:?} is not one of large, medium, small, micro")))
        })
        .transpose()?;
    let incoming = Enterprise {
        id: 0,
        name: name.clone(),
        uscc: uscc.clone(),
        aliases: f.list("aliases").into_iter().map(String::from).collect(),
        legal_rep: f.string("legal_rep"),
        region: f.string("region"),
        industry: f.string("industry"),
        registered_capital: f.amount("registered_capital")?,
        established: f.date("established")?,
        status: f.string("status"),
        size,
        listed: f.boolean("listed")?,
        is_customer: f.boolean("is_customer")?,
        manager_id: f.string("manager_id"),
        discovered_from: None,
        extra: f.extra(),
    };
    // Keyed by code when given, else by exact (normalised) name; never by a fuzzy match, which
    // would merge two real companies.
    let by_code = uscc.as_ref().and_then(|code| linker.resolver.exact(&EntRef::Uscc(code.clone())));
    let by_name = linker.resolver.exact(&EntRef::Name(name.clone()));
    let existing_id = by_code.or(by_name);
    let existing = match existing_id {
        Some(id) => linker.tx.enterprise(id)?,
        None => None,
    };
    if let Some(existing) = existing {
        if let (Some(have), Some(want)) = (&existing.uscc, &uscc) {
            if have != want {
                return Err(problem(format!(
                    "name {name:?} already belongs to enterprise {} with code {have}, not {want}",
                    existing.id
                ))
                .into());
            }
        }
        let merged = merge_enterprise(existing, incoming);
        let upsert = linker.tx.update_enterprise(&merged)?;
        linker.resolver.insert(&merged);
        return Ok(Applied { upsert, record: None, parties: vec![Party::Enterprise(merged.id)] });
    }
    let created = linker.tx.insert_enterprise(incoming)?;
    linker.resolver.insert(&created);
    Ok(Applied { upsert: Upsert::Inserted, record: None, parties: vec![Party::Enterprise(created.id)] })
}

/// Values the row gives win; what it leaves empty is kept. Aliases are the union, and a name
/// that changes keeps the old one as an alias (a former name).
fn merge_enterprise(mut old: Enterprise, new: Enterprise) -> Enterprise {
    if old.name != new.name && !old.aliases.contains(&old.name) {
        let former = std::mem::replace(&mut old.name, new.name.clone());
        old.aliases.push(former);
    }
    for alias in new.aliases {
        if !old.aliases.contains(&alias) && alias != old.name {
            old.aliases.push(alias);
        }
    }
    old.uscc = new.uscc.or(old.uscc);
    old.legal_rep = new.legal_rep.or(old.legal_rep);
    old.region = new.region.or(old.region);
    old.industry = new.industry.or(old.industry);
    old.registered_capital = new.registered_capital.or(old.registered_capital);
    old.established = new.established.or(old.established);
    old.status = new.status.or(old.status);
    old.size = new.size.or(old.size);
    old.listed |= new.listed;
    old.is_customer |= new.is_customer;
    old.manager_id = new.manager_id.or(old.manager_id);
    // An enterprise imported explicitly is no longer merely "discovered".
    old.discovered_from = None;
    old.extra.extend(new.extra);
    old
}

fn import_relation(linker: &mut Linker<'_, '_>, f: &Fields<'_>) -> Result<Applied, RowError> {
    let from_raw = f.required("from")?;
    let to_raw = f.required("to")?;
    let kind = f.parse_enum(
        "kind",
        RelationKind::parse,
        "shareholder, officer, legal_rep, guarantee, supplier, branch, control",
    )?;
    let share = f.share("share")?;
    let role = f.string("role");
    let amount = f.amount("amount")?;
    let start = f.date("start")?;
    let end = f.date("end")?;
    let source = f.string("source");
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(problem(format!("`end` {e} is before `start` {s}")).into());
        }
    }
    let from = linker.check_party("from", from_raw)?;
    if crate::resolve::normalize_name(from_raw) == crate::resolve::normalize_name(to_raw) {
        return Err(problem("a relation from an enterprise to itself").into());
    }
    let to = linker.check("to", to_raw)?;
    // Two names can turn out to be one enterprise only once both are linked: when linking
    // creates one (the second name matching the first's new enterprise), the links run in a
    // savepoint, so a rejected row leaves no enterprise behind. Rows between known enterprises,
    // nearly all of them, skip the savepoint's cost.
    let discovers = linker.would_discover(&to)
        || matches!(&from, PartyRef::Enterprise(checked) if linker.would_discover(checked));
    let mark = if discovers { Some(linker.tx.begin_row()?) } else { None };
    let discovered_before = linker.discovered.len();
    let origin = format!("relation:{from_raw}->{to_raw}");
    let from = match from {
        PartyRef::Person(id) => Party::Person(id),
        PartyRef::Enterprise(checked) => Party::Enterprise(linker.link(checked, &origin)?.id),
    };
    let to = linker.link(to, &origin)?.id;
    if from == Party::Enterprise(to) {
        if let Some(mark) = mark {
            linker.tx.undo_row(mark)?;
            for id in linker.discovered.drain(discovered_before..) {
                linker.resolver.forget(id);
            }
        }
        return Err(problem("a relation from an enterprise to itself").into());
    }
    if let Some(mark) = mark {
        linker.tx.keep_row(mark)?;
    }
    let relation = Relation { from, to, kind, share, role, amount, start, end, source };
    let upsert = linker.tx.upsert_relation(&relation)?;
    if let (true, Party::Enterprise(from)) = (relation.is_control(), &relation.from) {
        linker.resolver.relate(*from, to);
    }
    // A person at the relation's start is checked through the enterprise at its end.
    let parties = match relation.from {
        Party::Enterprise(from) => vec![Party::Enterprise(from), Party::Enterprise(relation.to)],
        Party::Person(_) => vec![Party::Enterprise(relation.to)],
    };
    Ok(Applied { upsert, record: None, parties })
}

enum PartyRef {
    Person(String),
    Enterprise(CheckedRef),
}

fn parse_person_ref(raw: &str) -> Option<&str> {
    raw.trim().strip_prefix("person:").map(str::trim).filter(|id| !id.is_empty())
}

fn parse_record(linker: &mut Linker<'_, '_>, kind: ImportKind, f: &Fields<'_>) -> Result<Record, RowError> {
    let id = f.required("id")?.to_string();
    match kind {
        ImportKind::Tenders => {
            let notice =
                f.parse_enum("kind", TenderKind::parse, "tender, award, candidate, correction, termination")?;
            let title = f.required("title")?.to_string();
            let published = f.required_date("published")?;
            let buyer = f.opt("buyer").map(|b| linker.check("buyer", b)).transpose()?;
            // `winners` is what `oppgraph extract` prints, so its output imports as it is.
            let mut winner_list = f.list("winner");
            if winner_list.is_empty() {
                winner_list = f.list("winners");
            }
            // The winners of every lot are the notice's (`extract` prints the first lot's as
            // `winners` and all of them under `lots`).
            let lots = f.string("lots");
            let lot_winners: Vec<String> = lots
                .as_deref()
                .map(crate::model::TenderLot::parse_all)
                .unwrap_or_default()
                .into_iter()
                .flat_map(|lot| lot.winners)
                .collect();
            for name in &lot_winners {
                let known = winner_list
                    .iter()
                    .any(|w| crate::resolve::normalize_name(w) == crate::resolve::normalize_name(name));
                if !known {
                    winner_list.push(name.as_str());
                }
            }
            let winners =
                winner_list.into_iter().map(|w| linker.check("winner", w)).collect::<RowResult<Vec<_>>>()?;
            let agency = f.opt("agency").map(|a| linker.check("agency", a)).transpose()?;
            let amount = f.amount("amount")?;
            let budget = f.amount("budget")?;
            let (region, url, source, text) =
                (f.string("region"), f.string("url"), f.string("source"), f.string("text"));
            let mut extra = f.extra();
            if let Some(lots) = lots {
                extra.insert("lots".into(), lots);
            }
            let origin = format!("tender:{id}");
            let context = Context { region: region.as_deref() };
            let buyer = buyer.map(|b| linker.link_in(b, &origin, &context)).transpose()?;
            let winners = winners
                .into_iter()
                .map(|w| linker.link_in(w, &origin, &context))
                .collect::<Result<Vec<_>, _>>()?;
            let agency = agency.map(|a| linker.link_in(a, &origin, &context)).transpose()?;
            Ok(Record::Tender(Tender {
                id,
                kind: notice,
                title,
                published,
                buyer,
                winners,
                agency,
                amount,
                budget,
                region,
                url,
                source,
                text,
                extra,
            }))
        }
        ImportKind::Filings => {
            let enterprise = linker.check("enterprise", f.required("enterprise")?)?;
            let kind = f.required("kind")?.trim().to_string();
            let published = f.required_date("published")?;
            let counterparty = f.opt("counterparty").map(|c| linker.check("counterparty", c)).transpose()?;
            let amount = f.amount("amount")?;
            let (title, url, text) = (f.string("title"), f.string("url"), f.string("text"));
            let extra = f.extra();
            let origin = format!("filing:{id}");
            let enterprise = linker.link(enterprise, &origin)?;
            let counterparty = counterparty.map(|c| linker.link(c, &origin)).transpose()?;
            Ok(Record::Filing(Filing {
                id,
                enterprise,
                kind,
                title,
                published,
                amount,
                counterparty,
                url,
                text,
                extra,
            }))
        }
        ImportKind::Pledges => {
            let pledge_kind =
                f.parse_enum("kind", PledgeKind::parse, "equity, chattel, real_estate, receivable")?;
            let pledgor = linker.check("pledgor", f.required("pledgor")?)?;
            let pledgee = linker.check("pledgee", f.required("pledgee")?)?;
            let registered = f.required_date("registered")?;
            let expires = f.date("expires")?;
            if let Some(expires) = expires {
                if expires < registered {
                    return Err(
                        problem(format!("`expires` {expires} is before `registered` {registered}")).into()
                    );
                }
            }
            let status = match f.opt("status") {
                None => PledgeStatus::Active,
                Some(s) => PledgeStatus::parse(s)
                    .ok_or_else(|| problem(format!("`status` {s:?} is not one of active, released")))?,
            };
            let amount = f.amount("amount")?;
            let (subject, url, source) = (f.string("subject"), f.string("url"), f.string("source"));
            let extra = f.extra();
            let origin = format!("pledge:{id}");
            let pledgor = linker.link(pledgor, &origin)?;
            let pledgee = linker.link(pledgee, &origin)?;
            Ok(Record::Pledge(Pledge {
                id,
                kind: pledge_kind,
                pledgor,
                pledgee,
                subject,
                amount,
                registered,
                expires,
                status,
                url,
                source,
                extra,
            }))
        }
        ImportKind::Invoices => {
            let seller = linker.check("seller", f.required("seller")?)?;
            let buyer = linker.check("buyer", f.required("buyer")?)?;
            let amount = f.required_amount("amount")?;
            let issued = f.required_date("issued")?;
            let category = f.string("category");
            let extra = f.extra();
            let origin = format!("invoice:{id}");
            let seller = linker.link(seller, &origin)?;
            let buyer = linker.link(buyer, &origin)?;
            Ok(Record::Invoice(Invoice { id, seller, buyer, amount, issued, category, extra }))
        }
        ImportKind::RiskEvents => {
            let subject_raw = f.required("subject")?;
            let risk_kind = f.parse_enum(
                "kind",
                RiskKind::parse,
                "litigation, enforcement, dishonest, share_reduction, credit_rejection, financing_cost, admin_penalty, abnormal_operation, equity_freeze, bankruptcy",
            )?;
            let severity = match f.integer("severity")? {
                None => risk_kind.default_severity(),
                Some(s @ 1..=5) => s as u8,
                Some(s) => return Err(problem(format!("`severity` must be 1 to 5, got {s}")).into()),
            };
            let published = f.required_date("published")?;
            let amount = f.amount("amount")?;
            let (title, url, text) = (f.string("title"), f.string("url"), f.string("text"));
            let subject = linker.check_party("subject", subject_raw)?;
            let extra = f.extra();
            let (subject, subject_name) = match subject {
                PartyRef::Person(person) => {
                    let name = linker.person_name(&person)?.unwrap_or_else(|| person.clone());
                    (Party::Person(person), name)
                }
                PartyRef::Enterprise(checked) => {
                    let named = linker.link(checked, &format!("risk_event:{id}"))?;
                    (Party::Enterprise(named.id), named.name)
                }
            };
            Ok(Record::RiskEvent(RiskEvent {
                id,
                subject,
                subject_name,
                kind: risk_kind,
                severity,
                published,
                amount,
                title,
                url,
                text,
                extra,
            }))
        }
        ImportKind::Enterprises | ImportKind::Persons | ImportKind::Relations | ImportKind::Managers => {
            Err(problem(format!("{} rows are not records", kind.as_str())).into())
        }
    }
}
