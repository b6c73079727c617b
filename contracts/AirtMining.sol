// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {AirtToken} from "./AirtToken.sol";

/// @title AIRTIST mining: epoch roots posted by a validator threshold, cumulative Merkle claims
/// @notice Each epoch the miners' nodes compute the Merkle root of every address's cumulative AIRT (an
/// OpenZeppelin standard tree of (address, uint256) leaves). Validators sign the root (EIP-712, bound to this
/// chain and this contract) and anyone posts it with a threshold of their signatures. A miner then claims its
/// cumulative amount with a proof against the latest root and is paid the difference to what it has already
/// claimed, so one claim collects every epoch since the last. The contract never lets the posted total, and so
/// what is minted, pass the emission schedule: the first epoch's amount, halving every `halvingEpochs` epochs,
/// capped at the mining allocation (the token's cap).
contract AirtMining is EIP712 {
    bytes32 private constant EPOCH_ROOT_TYPEHASH = keccak256("EpochRoot(uint256 epoch,bytes32 root,uint256 epochTotal)");
    bytes32 private constant VALIDATOR_SET_TYPEHASH = keccak256("ValidatorSet(address[] validators,uint256 threshold,uint256 nonce)");

    AirtToken public immutable token;
    uint256 public immutable firstEpochWei;
    uint256 public immutable halvingEpochs;
    uint256 public immutable allocationWei;

    address[] private validatorList;
    mapping(address => bool) public isValidator;
    uint256 public threshold;
    /// @notice Counts validator-set changes: a change's signatures are good for one nonce only.
    uint256 public validatorNonce;

    /// @notice Whether any root was posted, the latest epoch posted, its root and its cumulative total.
    bool public posted;
    uint256 public latestEpoch;
    bytes32 public latestRoot;
    uint256 public latestTotal;
    mapping(uint256 => bytes32) public rootOf;

    mapping(address => uint256) public claimed;
    uint256 public totalClaimed;

    event EpochRootPosted(uint256 indexed epoch, bytes32 root, uint256 epochTotal, address poster);
    event Claimed(address indexed account, uint256 amount, uint256 cumulativeAmount);
    event ValidatorsChanged(address[] validators, uint256 threshold, uint256 nonce);

    error BadValidatorSet();
    error BadSchedule();
    error StaleEpoch(uint256 epoch, uint256 latest);
    error TotalDecreased(uint256 epochTotal, uint256 latest);
    error OverEmission(uint256 epochTotal, uint256 allowed);
    error TooFewSignatures(uint256 valid, uint256 threshold);
    error SignersNotAscending(address signer);
    error NotValidator(address signer);
    error NoRoot();
    error InvalidProof();
    error NothingToClaim(uint256 cumulativeAmount, uint256 alreadyClaimed);
    error OverPosted(uint256 totalClaimed, uint256 latestTotal);

    constructor(address[] memory validators_, uint256 threshold_, uint256 firstEpochWei_, uint256 halvingEpochs_, uint256 allocationWei_)
        EIP712("AirtMining", "1")
    {
        if (halvingEpochs_ == 0) revert BadSchedule();
        firstEpochWei = firstEpochWei_;
        halvingEpochs = halvingEpochs_;
        allocationWei = allocationWei_;
        token = new AirtToken(address(this), allocationWei_);
        _setValidators(validators_, threshold_);
    }

    // ------------------------------------------------------------------------------------------ the schedule

    /// @notice Wei the schedule allows minted for epochs 0 through `epoch`: one step per halving period, never
    /// past the allocation (the same sum the nodes compute, worker/rewards/emission.ts).
    function emittedThrough(uint256 epoch) public view returns (uint256 total) {
        uint256 end = epoch + 1;
        for (uint256 start = 0; start < end; start += halvingEpochs) {
            uint256 halvings = start / halvingEpochs;
            if (halvings >= 256) break;
            uint256 perEpoch = firstEpochWei >> halvings;
            if (perEpoch == 0) break;
            uint256 epochs = end - start < halvingEpochs ? end - start : halvingEpochs;
            total += perEpoch * epochs;
            if (total >= allocationWei) return allocationWei;
        }
    }

    // ------------------------------------------------------------------------------------------ roots

    /// @notice The EIP-712 digest validators sign for an epoch's root.
    function epochRootDigest(uint256 epoch, bytes32 root, uint256 epochTotal) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(EPOCH_ROOT_TYPEHASH, epoch, root, epochTotal)));
    }

    /// @notice Posts `epoch`'s root of cumulative totals (summing to `epochTotal`), signed by at least `threshold`
    /// validators, each once, in ascending order of their addresses.
    function postEpochRoot(uint256 epoch, bytes32 root, uint256 epochTotal, bytes[] calldata signatures) external {
        if (posted && epoch <= latestEpoch) revert StaleEpoch(epoch, latestEpoch);
        if (epochTotal < latestTotal) revert TotalDecreased(epochTotal, latestTotal);
        uint256 allowed = emittedThrough(epoch);
        if (epochTotal > allowed) revert OverEmission(epochTotal, allowed);
        _checkSignatures(epochRootDigest(epoch, root, epochTotal), signatures);
        posted = true;
        latestEpoch = epoch;
        latestRoot = root;
        latestTotal = epochTotal;
        rootOf[epoch] = root;
        emit EpochRootPosted(epoch, root, epochTotal, msg.sender);
    }

    // ------------------------------------------------------------------------------------------ claims

    /// @notice Pays `account` what its cumulative amount in the latest root exceeds what it has claimed. Anyone
    /// may send it: the tokens go to `account` alone.
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof) external returns (uint256 amount) {
        if (!posted) revert NoRoot();
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
        if (!MerkleProof.verifyCalldata(proof, latestRoot, leaf)) revert InvalidProof();
        uint256 already = claimed[account];
        if (cumulativeAmount <= already) revert NothingToClaim(cumulativeAmount, already);
        amount = cumulativeAmount - already;
        if (totalClaimed + amount > latestTotal) revert OverPosted(totalClaimed + amount, latestTotal);
        claimed[account] = cumulativeAmount;
        totalClaimed += amount;
        token.mint(account, amount);
        emit Claimed(account, amount, cumulativeAmount);
    }

    // ------------------------------------------------------------------------------------------ validators

    function validators() external view returns (address[] memory) {
        return validatorList;
    }

    /// @notice The EIP-712 digest validators sign to replace the set.
    function validatorSetDigest(address[] calldata validators_, uint256 threshold_, uint256 nonce) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VALIDATOR_SET_TYPEHASH, keccak256(abi.encodePacked(validators_)), threshold_, nonce)));
    }

    /// @notice Replaces the validator set and threshold, signed by a threshold of the current validators.
    function setValidators(address[] calldata validators_, uint256 threshold_, bytes[] calldata signatures) external {
        _checkSignatures(validatorSetDigest(validators_, threshold_, validatorNonce), signatures);
        validatorNonce++;
        _setValidators(validators_, threshold_);
    }

    function _setValidators(address[] memory validators_, uint256 threshold_) private {
        if (threshold_ == 0 || threshold_ > validators_.length) revert BadValidatorSet();
        for (uint256 i = 0; i < validatorList.length; i++) isValidator[validatorList[i]] = false;
        delete validatorList;
        address last = address(0);
        for (uint256 i = 0; i < validators_.length; i++) {
            address v = validators_[i];
            if (v <= last) revert BadValidatorSet(); // ascending: no zero address, no duplicate
            isValidator[v] = true;
            validatorList.push(v);
            last = v;
        }
        threshold = threshold_;
        emit ValidatorsChanged(validators_, threshold_, validatorNonce);
    }

    /// @dev At least `threshold` signatures of `digest` by distinct validators, ascending by signer.
    function _checkSignatures(bytes32 digest, bytes[] calldata signatures) private view {
        if (signatures.length < threshold) revert TooFewSignatures(signatures.length, threshold);
        address last = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            address signer = ECDSA.recover(digest, signatures[i]);
            if (signer <= last) revert SignersNotAscending(signer);
            if (!isValidator[signer]) revert NotValidator(signer);
            last = signer;
        }
    }
}
