// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title AIRT, the AIRTIST mining token
/// @notice An ERC-20 with a fixed cap and EIP-2612 permits. Only the mining contract that deployed it mints,
/// and only what miners claim against the epoch roots its validators posted.
contract AirtToken is ERC20Capped, ERC20Permit {
    /// @notice The one account allowed to mint: the AirtMining contract.
    address public immutable minter;

    error NotMinter(address caller);

    constructor(address minter_, uint256 cap_) ERC20("AIRTIST", "AIRT") ERC20Capped(cap_) ERC20Permit("AIRTIST") {
        minter = minter_;
    }

    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
