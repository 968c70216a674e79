#include "partner/partner_service.hpp"

#include "core/crypto.hpp"
#include "core/decimal.hpp"
#include "core/email_address.hpp"
#include "core/origin.hpp"
#include "core/token.hpp"

namespace polysim::partner {

namespace {

constexpr std::int64_t kLoginLinkLifetimeMicros = 10LL * 60 * 1'000'000;
constexpr std::int64_t kLoginLinksPerHour = 5;

std::string canonical_trade_filters(const TradesRequest& r) {
  std::string out = "side=" + r.side.value_or("") + "&market=" + r.market.value_or("");
  out += "&since=" + (r.since ? std::to_string(*r.since) : std::string());
  out += "&until=" + (r.until ? std::to_string(*r.until) : std::string());
  return out;
}

std::string canonical_account_filters(const ListAccountsRequest& r) {
  std::string out = "user_id=" + (r.user_id ? std::to_string(*r.user_id) : std::string());
  out += "&external_id=" + r.external_id.value_or("");
  out += "&stage=" + r.stage.value_or("") + "&status=" + r.status.value_or("");
  return out;
}

bool same_account_request(const store::AccountRecord& a, const CreateAccountRequest& r) {
  return a.user_id == r.user_id && a.stage == r.stage && a.starting_balance == r.starting_balance;
}

}  // namespace

PartnerService::PartnerService(store::Store& store, const Clock& clock, limit::FailOpenGuard& limiter,
                               CursorCodec cursors, PlatformSettings settings, AccountCache& accounts)
    : store_(store),
      clock_(clock),
      limiter_(limiter),
      cursors_(std::move(cursors)),
      settings_(std::move(settings)),
      accounts_(accounts) {}

void PartnerService::set_engine(engine::Engine* engine) {
  engine_ = engine;
  if (engine_) engine_->set_account_observer([this](const std::string& id) { accounts_.erase(id); });
}

Result<engine::AccountView> PartnerService::valued(const store::AccountRecord& row, bool on_shard) {
  engine::AccountView view;
  if (!engine_) {
    view = engine::view_without_positions(row, now());
  } else if (on_shard && row.status == "active") {
    auto outcome = engine_->view_account_sync(row.id);
    if (!outcome.view) {
      if (outcome.error && outcome.error->code == engine::EngineCode::AccountNotFound)
        return make_error("ACCOUNT_NOT_FOUND");
      return make_error("SERVICE_UNAVAILABLE");
    }
    view = std::move(*outcome.view);
    view.account = engine::with_engine_columns(row, view.account);
  } else {
    view = engine_->view_stored(row);
  }
  if (view.positions.empty()) accounts_.put(view);
  return view;
}

AccountCache::Lookup PartnerService::cached_account(const store::TenantRecord& tenant,
                                                    const std::string& account_id) const {
  auto found = accounts_.get(account_id);
  // A foreign or ungoverned account is a miss here; the slow path answers it like any unknown id.
  if (!found.entry || found.entry->record.tenant_id != tenant.id || !found.entry->record.governed) return {};
  return found;
}

Result<std::pair<store::PartnerUserRecord, bool>> PartnerService::create_user(const store::TenantRecord& tenant,
                                                                              const CreateUserRequest& r) {
  auto email = normalize_email(r.email);
  if (!email) return make_error("INVALID_EMAIL");
  store::PartnerUserCreate create{tenant.id, r.external_id, *email, r.metadata_json, Uuid::v4().to_string(), now()};
  // A transient storage failure is retried a few times before the caller hears about it.
  for (int attempt = 0;; ++attempt) {
    try {
      auto [outcome, user] = store_.create_partner_user(create);
      switch (outcome) {
        case store::PartnerUserOutcome::Created: return std::pair{user, true};
        case store::PartnerUserOutcome::Replayed: return std::pair{user, false};
        case store::PartnerUserOutcome::ExternalIdConflict: return make_error("EXTERNAL_ID_CONFLICT");
        case store::PartnerUserOutcome::UserAlreadyMapped: return make_error("USER_ALREADY_MAPPED");
      }
    } catch (const store::StoreUnavailable&) {
      if (attempt >= 2) return make_error("AUTH_PROVISION_FAILED");
    } catch (const store::UniqueViolation&) {
      // A concurrent writer won a race the transaction could not see; the retry re-reads it.
      if (attempt >= 2) return make_error("AUTH_PROVISION_FAILED");
    }
  }
}

Result<store::PartnerUserRecord> PartnerService::get_user(const store::TenantRecord& tenant, std::int64_t user_id) {
  auto user = store_.find_partner_user(tenant.id, user_id);
  if (!user) return make_error("USER_NOT_FOUND");
  return *user;
}

Result<Created> PartnerService::send_login_link(const store::TenantRecord& tenant, std::int64_t user_id,
                                                const std::optional<std::string>& redirect_url) {
  std::string landing;
  if (redirect_url) {
    auto checked = check_redirect_url(*redirect_url);
    if (std::holds_alternative<RedirectUrlError>(checked)) return make_error("REDIRECT_NOT_ALLOWED");
    const auto& origin = std::get<Origin>(checked);
    bool allowed = false;
    for (const auto& o : tenant.redirect_origins)
      if (o == origin.str()) allowed = true;
    if (auto app = origin_of_url(settings_.trader_app_url); app && *app == origin) allowed = true;
    if (!allowed) return make_error("REDIRECT_NOT_ALLOWED");
    landing = *redirect_url;
  } else {
    landing = tenant.default_login_url.value_or(settings_.trader_app_url);
  }
  auto user = store_.find_partner_user(tenant.id, user_id);
  if (!user) return make_error("USER_NOT_FOUND");

  const limit::WindowTuple cap[] = {{"p:ll:" + tenant.id + ":" + std::to_string(user_id), kLoginLinksPerHour, 3'600'000}};
  if (auto decision = limiter_.decide(cap, "partner_login_link"); decision && !decision->admitted) {
    auto e = make_error("RATE_LIMIT_EXCEEDED");
    e.retry_after_s = static_cast<int>((decision->windows[0].retry_after_ms + 999) / 1000);
    e.message = "Rate limit exceeded. Retry after " + std::to_string(e.retry_after_s) + "s.";
    return e;
  }

  const auto token = generate_token("ll_");
  const auto t = now();
  store::LoginLinkIssue issue;
  issue.tenant_id = tenant.id;
  issue.user_id = user_id;
  issue.token_hash = token_hash_bytes(token);
  issue.prefix = token_prefix(token, "ll_");
  issue.landing_url = landing;
  issue.expires_at = t + kLoginLinkLifetimeMicros;
  issue.now = t;
  const auto link = append_query_param(landing, "token", token);
  issue.mail.id = ids_.next(clock_).to_string();
  issue.mail.tenant_id = tenant.id;
  issue.mail.recipient = user->email;
  issue.mail.kind = "login_link";
  issue.mail.subject = "Your sign-in link for " + tenant.display_name;
  issue.mail.text = "Use this link within 10 minutes to sign in. It works once.\n\n" + link + "\n";
  issue.mail.link = link;
  issue.mail.created_at = t;
  try {
    store_.issue_login_link(issue);
  } catch (const std::exception&) {
    return make_error("MAGIC_LINK_FAILED");
  }
  return Created{true};
}

Result<std::pair<engine::AccountView, bool>> PartnerService::create_account(const store::TenantRecord& tenant,
                                                                            const CreateAccountRequest& r) {
  // A replay answers the account as it is now, valued like any read.
  auto replay = [&](const store::AccountRecord& existing) -> Result<std::pair<engine::AccountView, bool>> {
    if (!same_account_request(existing, r)) return make_error("ACCOUNT_EXTERNAL_ID_CONFLICT");
    auto view = valued(existing, true);
    if (auto* e = std::get_if<PartnerError>(&view)) return *e;
    return std::pair{std::get<engine::AccountView>(std::move(view)), false};
  };
  if (auto existing = store_.find_account_by_external_id(tenant.id, r.external_id)) return replay(*existing);
  if (r.starting_balance <= 0 || r.starting_balance < tenant.min_starting_balance ||
      r.starting_balance > tenant.max_starting_balance)
    return make_error("BALANCE_OUT_OF_BOUNDS");
  if (!store_.find_partner_user(tenant.id, r.user_id)) return make_error("USER_NOT_FOUND");

  const auto t = now();
  store::AccountRecord a;
  a.id = ids_.next(clock_).to_string();
  a.tenant_id = tenant.id;
  a.user_id = r.user_id;
  a.external_id = r.external_id;
  a.governed = true;
  a.stage = r.stage;
  a.starting_balance = a.cash = a.peak_equity = a.min_equity = a.day_start_equity = a.day_low_equity =
      r.starting_balance;
  a.day_start_at = a.created_at = a.updated_at = t;
  a.metadata_json = r.metadata_json;
  a.rules_json = r.rules_json;
  auto [outcome, stored] = store_.create_account(a);
  // Lost a race with an identical (or conflicting) create: answer like a replay.
  if (outcome == store::CreateOutcome::Existing) return replay(stored);
  auto view = engine::view_without_positions(stored, t);
  accounts_.put(view);
  return std::pair{std::move(view), true};
}

std::optional<store::AccountRecord> PartnerService::governed_account(const store::TenantRecord& tenant,
                                                                     const std::string& id) {
  auto a = store_.find_account(tenant.id, id);
  if (!a || !a->governed) return std::nullopt;
  return a;
}

Result<engine::AccountView> PartnerService::get_account(const store::TenantRecord& tenant, const std::string& id) {
  auto a = governed_account(tenant, id);
  if (!a) return make_error("ACCOUNT_NOT_FOUND");
  return valued(*a, true);
}

Result<Page<engine::AccountView>> PartnerService::list_accounts(const store::TenantRecord& tenant,
                                                                 const ListAccountsRequest& r) {
  auto tenant_uuid = Uuid::parse(tenant.id).value_or(Uuid{});
  const auto filters = canonical_account_filters(r);
  store::AccountListQuery q;
  q.tenant_id = tenant.id;
  q.user_id = r.user_id;
  q.external_id = r.external_id;
  q.stage = r.stage;
  q.status = r.status;
  q.limit = r.limit + 1;
  if (!r.cursor.empty()) {
    auto keyset = cursors_.decode(r.cursor, CursorKind::AccountList, tenant_uuid, filters, 8 + 16);
    if (!keyset) return make_error("INVALID_CURSOR");
    q.after = std::pair{read_int64(*keyset, 0), read_uuid(*keyset, 8).to_string()};
  }
  auto rows = store_.list_accounts(q);
  Page<engine::AccountView> page;
  if (static_cast<int>(rows.size()) > r.limit) {
    rows.resize(r.limit);
    const auto& last = rows.back();
    std::vector<std::uint8_t> keyset;
    append_int64(keyset, last.created_at);
    append_uuid(keyset, Uuid::parse(last.id).value_or(Uuid{}));
    page.next_cursor = cursors_.encode(CursorKind::AccountList, tenant_uuid, filters, keyset);
  }
  // Items are valued from stored positions, not on the shards: a page may name 100 accounts.
  for (const auto& row : rows) {
    auto view = valued(row, false);
    if (auto* e = std::get_if<PartnerError>(&view)) return *e;
    page.rows.push_back(std::get<engine::AccountView>(std::move(view)));
  }
  return page;
}

Result<engine::AccountView> PartnerService::patch_account(const store::TenantRecord& tenant, const std::string& id,
                                                          const store::AccountPatch& patch) {
  if (!governed_account(tenant, id)) return make_error("ACCOUNT_NOT_FOUND");
  auto updated = store_.patch_account(tenant.id, id, patch, now());
  if (!updated) return make_error("ACCOUNT_NOT_FOUND");
  return valued(*updated, true);
}

Result<engine::AccountView> PartnerService::finish_lifecycle(const store::TenantRecord& tenant, const std::string& id,
                                                             const engine::LifecycleOutcome& outcome) {
  if (outcome.error) {
    if (outcome.error->code == engine::EngineCode::AccountNotFound) return make_error("ACCOUNT_NOT_FOUND");
    return make_error("SERVICE_UNAVAILABLE");
  }
  switch (outcome.result.step) {
    case engine::LifecycleStep::OrdersRemain: return make_error("ORDERS_NOT_CANCELLED");
    case engine::LifecycleStep::Closed: return make_error("ACCOUNT_CLOSED");
    case engine::LifecycleStep::AlreadyClosed:
    case engine::LifecycleStep::Completed: break;
  }
  // The engine writes only its own columns; the row as stored carries the partner's too.
  auto current = store_.find_account(tenant.id, id);
  if (!current) return make_error("ACCOUNT_NOT_FOUND");
  return valued(*current, true);
}

Result<engine::AccountView> PartnerService::close_account(const store::TenantRecord& tenant, const std::string& id) {
  if (!governed_account(tenant, id)) return make_error("ACCOUNT_NOT_FOUND");
  if (engine_) return finish_lifecycle(tenant, id, engine_->close_account_sync(id));
  auto [outcome, account] = store_.close_account(tenant.id, id, now());
  if (outcome == store::LifecycleOutcome::NotFound || !account) return make_error("ACCOUNT_NOT_FOUND");
  return valued(*account, false);
}

Result<engine::AccountView> PartnerService::reset_account(const store::TenantRecord& tenant, const std::string& id) {
  if (!governed_account(tenant, id)) return make_error("ACCOUNT_NOT_FOUND");
  if (engine_) return finish_lifecycle(tenant, id, engine_->reset_account_sync(id));
  auto [outcome, account] = store_.reset_account(tenant.id, id, now());
  if (outcome == store::LifecycleOutcome::NotFound || !account) return make_error("ACCOUNT_NOT_FOUND");
  if (outcome == store::LifecycleOutcome::Closed) return make_error("ACCOUNT_CLOSED");
  return valued(*account, false);
}

Result<Page<store::FillRecord>> PartnerService::list_trades(const store::TenantRecord& tenant, const std::string& id,
                                                            const TradesRequest& r) {
  if (!governed_account(tenant, id)) return make_error("ACCOUNT_NOT_FOUND");
  const auto account_uuid = Uuid::parse(id).value_or(Uuid{});
  const auto filters = canonical_trade_filters(r);
  store::FillQuery q;
  q.account_id = id;
  q.side = r.side;
  q.since = r.since;
  q.until = r.until;
  q.limit = r.limit + 1;
  if (!r.cursor.empty()) {
    auto keyset = cursors_.decode(r.cursor, CursorKind::Trades, account_uuid, filters, 8 + 16 + 16);
    if (!keyset) return make_error("INVALID_CURSOR");
    q.after = store::FillQuery::Keyset{read_int64(*keyset, 0), read_uuid(*keyset, 8).to_string(),
                                       read_uuid(*keyset, 24).to_string()};
  }
  Page<store::FillRecord> page;
  if (r.market) {
    auto market = store_.find_market(*r.market);
    if (!market) return page;  // an unknown market has no fills
    q.market_id = market->id;
  }
  page.rows = store_.list_fills(q);
  if (static_cast<int>(page.rows.size()) > r.limit) {
    page.rows.resize(r.limit);
    const auto& last = page.rows.back();
    std::vector<std::uint8_t> keyset;
    append_int64(keyset, last.filled_at);
    append_uuid(keyset, Uuid::parse(last.order_id).value_or(Uuid{}));
    append_uuid(keyset, Uuid::parse(last.trade_id).value_or(Uuid{}));
    page.next_cursor = cursors_.encode(CursorKind::Trades, account_uuid, filters, keyset);
  }
  return page;
}

}  // namespace polysim::partner
