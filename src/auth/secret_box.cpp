#include "auth/secret_box.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace polysim::auth {

namespace {

constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!context) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  return context;
}

const unsigned char* bytes_of(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

// EVP takes int lengths; secrets are tiny, so anything near INT_MAX is refused up front.
bool fits_int(std::size_t size) { return size < static_cast<std::size_t>(INT_MAX) - kNonceBytes - kTagBytes; }

// Feeds the associated data; GCM authenticates it without encrypting it. EVP treats a null
// output buffer as "this is AAD".
bool add_associated_data(EVP_CIPHER_CTX* context, std::string_view associated_data) {
  if (associated_data.empty()) return true;
  int ignored = 0;
  return EVP_CipherUpdate(context, nullptr, &ignored, bytes_of(associated_data),
                          static_cast<int>(associated_data.size())) == 1;
}

}  // namespace

std::string seal_secret(std::span<const std::uint8_t, kSecretBoxKeyBytes> key, std::string_view plaintext,
                        std::string_view associated_data) {
  if (!fits_int(plaintext.size()) || !fits_int(associated_data.size())) {
    throw std::invalid_argument("secret too large to seal");
  }
  std::vector<std::uint8_t> box(kNonceBytes + plaintext.size() + kTagBytes);
  const std::span<std::uint8_t> nonce(box.data(), kNonceBytes);
  random_bytes(nonce);

  const CipherContext context = new_context();
  int written = 0;
  int finished = 0;
  bool ok = EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) == 1 &&
            add_associated_data(context.get(), associated_data);
  if (ok && !plaintext.empty()) {
    ok = EVP_EncryptUpdate(context.get(), box.data() + kNonceBytes, &written, bytes_of(plaintext),
                           static_cast<int>(plaintext.size())) == 1;
  }
  ok = ok && EVP_EncryptFinal_ex(context.get(), box.data() + kNonceBytes + written, &finished) == 1 &&
       static_cast<std::size_t>(written + finished) == plaintext.size() &&
       EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                           box.data() + kNonceBytes + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM sealing failed");
  return base64url_encode(std::span<const std::uint8_t>(box));
}

std::optional<std::string> open_secret(std::span<const std::uint8_t, kSecretBoxKeyBytes> key, std::string_view sealed,
                                       std::string_view associated_data) {
  auto box = base64url_decode(sealed);
  if (!box || box->size() < kNonceBytes + kTagBytes || !fits_int(box->size()) || !fits_int(associated_data.size())) {
    return std::nullopt;
  }
  const std::size_t ciphertext_size = box->size() - kNonceBytes - kTagBytes;
  std::uint8_t* const nonce = box->data();
  std::uint8_t* const ciphertext = nonce + kNonceBytes;
  std::uint8_t* const tag = ciphertext + ciphertext_size;

  const CipherContext context = new_context();
  std::string plaintext(ciphertext_size, '\0');
  int written = 0;
  int finished = 0;
  bool ok = EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce) == 1 &&
            add_associated_data(context.get(), associated_data);
  if (ok && ciphertext_size > 0) {
    ok = EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &written, ciphertext,
                           static_cast<int>(ciphertext_size)) == 1;
  }
  ok = ok && EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag) == 1 &&
       EVP_DecryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(plaintext.data()) + written, &finished) ==
           1 &&
       static_cast<std::size_t>(written + finished) == ciphertext_size;
  if (!ok) {
    // Unauthenticated plaintext must not linger in freed memory either.
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return std::nullopt;
  }
  return plaintext;
}

}  // namespace polysim::auth
